// Training configs: defaults, every preset of cluster/presets parses and validates, and bad
// configs fail with file:line:column and a reason.
#include "model/train_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

std::string ErrorOf(const std::string& text) {
  try {
    ParseTrainConfig(text, "cfg.pbtxt");
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(TrainConfig, defaults_come_from_the_schema) {
  const TrainConfig c = ParseTrainConfig("", "empty.pbtxt");
  EXPECT_EQ(c.model(), TrainConfig::LIGHTGCN);
  EXPECT_EQ(c.dim(), 64);
  EXPECT_EQ(c.batch_size(), 2048);
  EXPECT_FLOAT_EQ(c.negative_power(), 0.75f);
  EXPECT_EQ(c.target_relation(), "listened");
  const std::string text = FormatTrainConfig(c);
  EXPECT_NE(text.find("dim: 64"), std::string::npos) << text;
  // The formatted text parses back to the same values.
  EXPECT_EQ(ParseTrainConfig(text, "again").SerializeAsString(),
            ParseTrainConfig(text, "again2").SerializeAsString());
}

TEST(TrainConfig, every_preset_parses_and_validates) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(MELOGRAPH_PRESETS_DIR)) {
    if (entry.path().extension() != ".pbtxt") continue;
    names.push_back(entry.path().filename().string());
    SCOPED_TRACE(entry.path().string());
    const TrainConfig c = LoadTrainConfig(entry.path().string());
    EXPECT_GE(c.dim(), 1);
  }
  // The named presets of the issue exist (and new ones are picked up by the glob above).
  for (const char* required : {"metapath2vec.pbtxt", "lightgcn.pbtxt", "kgnn.pbtxt"})
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  EXPECT_EQ(LoadTrainConfig(std::string(MELOGRAPH_PRESETS_DIR) + "/kgnn.pbtxt").model(),
            TrainConfig::KGNN);
}

TEST(TrainConfig, syntax_errors_name_file_line_and_column) {
  EXPECT_EQ(ErrorOf("dim: 32\nepochs: x\n"),
            "cfg.pbtxt:2:9: Expected integer, got: x");
  EXPECT_EQ(ErrorOf("dim: 32\n\nno_such_field: 1\n").rfind("cfg.pbtxt:3:", 0), 0u);
  EXPECT_EQ(ErrorOf("dim: 3\nmodel: GRU"),
            "cfg.pbtxt:2:11: Unknown enumeration value of \"GRU\" for field \"model\".");
}

TEST(TrainConfig, bad_values_name_the_field_line_and_reason) {
  EXPECT_EQ(ErrorOf("epochs: 3\ndim: 0\n"), "cfg.pbtxt:2:1: dim: must be in [1, 4096]");
  EXPECT_EQ(ErrorOf("fanouts: 5\nfanouts: 0\n"),
            "cfg.pbtxt:2:1: fanouts: each fanout must be >= 1, or -1 for the full neighbourhood");
  EXPECT_EQ(ErrorOf("learning_rate: -1"), "cfg.pbtxt:1:1: learning_rate: must be a finite number > 0");
  EXPECT_EQ(ErrorOf("fanouts: [5, 5]\nhops { relation: \"listened\" }\n"),
            "cfg.pbtxt:2:1: hops: give one relation filter per fanout (2 fanouts, 1 hops)");
  EXPECT_EQ(ErrorOf("metapaths: \"user-listened\"\n").rfind("cfg.pbtxt:1:1: metapaths: 'user-listened'", 0),
            0u);
  // A missing field: the model line is named when the model is set.
  EXPECT_EQ(ErrorOf("\nmodel: KGNN\n"), "cfg.pbtxt:2:1: model: kgnn needs fanouts (one per hop)");
  EXPECT_EQ(ErrorOf("negative_power: 2\n"), "cfg.pbtxt:1:1: negative_power: must be in [0, 1]");
  EXPECT_EQ(ErrorOf("model: KGNN\nfanouts: [3]\nitem_id_dropout: 1\n"),
            "cfg.pbtxt:3:1: item_id_dropout: must be in [0, 1)");
  EXPECT_EQ(ErrorOf("layers: 2\nitem_id_dropout: 0.5\n").rfind("cfg.pbtxt:2:1: item_id_dropout: is a KGNN option", 0), 0u);
  EXPECT_EQ(ErrorOf("layers: 2\nkgnn_aggregator: NORMALIZED_ATTENTION\n"),
            "cfg.pbtxt:2:1: kgnn_aggregator: is a KGNN option");
  EXPECT_EQ(ErrorOf("model: KGNN\nfanouts: [3]\nkgnn_aggregator: NORMALIZED_ATTENTION\n"), "no error");
}

TEST(TrainConfig, unreadable_file_is_an_io_error) {
  EXPECT_THROW(LoadTrainConfig("/nonexistent/train.pbtxt"), IoError);
}

}  // namespace
}  // namespace melograph
