// Fuzz target: the build-kg behaviour-weight config, Protobuf text (proto/kg_config.proto,
// loader ParseKgConfigText in kg_builder/behaviour_weights.h).
//
// Input: the text of one config file.
// Contract checked: ParseKgConfigText returns or throws a melograph::Error (InputError for
// syntax, UsageError for bad values); an accepted config prints (KgConfigToText) to text that
// parses back to the same config, and BehaviourWeights accepts it.
#include "fuzz/fuzz_targets.h"
#include "fuzz/fuzz_util.h"
#include "kg_builder/behaviour_weights.h"

namespace melograph::fuzz {

void FuzzKgConfig(std::string_view data) {
  proto::KgConfig config;
  if (!AcceptsOrRejects([&] { config = ParseKgConfigText(data, "fuzz.pbtxt"); })) return;
  const std::string text = KgConfigToText(config);
  proto::KgConfig again;
  try {
    again = ParseKgConfigText(text, "printed.pbtxt");
  } catch (const Error& e) {
    Violation(std::string("kg config: printed config does not parse back: ") + e.what() + "\n" + text);
  }
  if (again.SerializeAsString() != config.SerializeAsString() || KgConfigToText(again) != text)
    Violation("kg config: printed config parses back different:\n" + text);
  const BehaviourWeights weights(config);
  (void)weights;
}

}  // namespace melograph::fuzz

MELOGRAPH_FUZZ_TARGET(melograph::fuzz::FuzzKgConfig)
