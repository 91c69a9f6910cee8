// Fuzz target: the training config, Protobuf text (proto/train_config.proto, loader
// ParseTrainConfig in model/train_config.h).
//
// Input: the text of one config file.
// Contract checked: ParseTrainConfig returns or throws a melograph::Error (InputError with the
// field's position); an accepted config printed with FormatTrainConfig parses back, and
// printing that again gives the same text (the run directory's copy of the config is faithful).
#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "model/train_config.h"

namespace melograph::fuzz {

void FuzzTrainConfig(std::string_view data) {
  TrainConfig config;
  if (!AcceptsOrRejects([&] { config = ParseTrainConfig(std::string(data), "fuzz.pbtxt"); })) return;
  const std::string text = FormatTrainConfig(config);
  TrainConfig again;
  try {
    again = ParseTrainConfig(text, "printed.pbtxt");
  } catch (const Error& e) {
    Violation(std::string("train config: printed config does not parse back: ") + e.what() + "\n" + text);
  }
  if (FormatTrainConfig(again) != text)
    Violation("train config: printed config parses back different:\n" + text);
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzTrainConfig)
