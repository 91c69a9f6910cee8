#include "model/train_config.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

namespace pb = google::protobuf;

class CollectFirstError : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (!has_error) {
      has_error = true;
      this->line = line + 1;
      this->column = column + 1;
      this->message = message;
    }
  }
  void AddWarning(int, pb::io::ColumnNumber, const std::string&) override {}
  bool has_error = false;
  int line = 0, column = 0;
  std::string message;
};

class Validator {
 public:
  Validator(const TrainConfig& c, const pb::TextFormat::ParseInfoTree& tree, std::string name)
      : c_(c), tree_(tree), name_(std::move(name)) {}

  // Throws at the position of `field` (element `index` for repeated fields).
  [[noreturn]] void Fail(const char* field, int index, const std::string& reason) const {
    const pb::FieldDescriptor* f = TrainConfig::descriptor()->FindFieldByName(field);
    pb::TextFormat::ParseLocation loc;
    if (f) loc = tree_.GetLocation(f, f->is_repeated() ? index : -1);
    if (loc.line < 0) throw InputError(name_, 1, 0, std::string(field) + ": " + reason);
    throw InputError(name_, loc.line + 1, loc.column + 1, std::string(field) + ": " + reason);
  }
  void Check(bool ok, const char* field, const std::string& reason, int index = 0) const {
    if (!ok) Fail(field, index, reason);
  }

  void Run() const {
    Check(c_.dim() >= 1 && c_.dim() <= 4096, "dim", "must be in [1, 4096]");
    Check(c_.epochs() >= 1, "epochs", "must be >= 1");
    Check(c_.batch_size() >= 1, "batch_size", "must be >= 1");
    Check(Positive(c_.learning_rate()), "learning_rate", "must be a finite number > 0");
    Check(Positive(c_.dense_learning_rate()), "dense_learning_rate",
          "must be a finite number > 0");
    Check(!c_.user_type().empty(), "user_type", "must not be empty");
    Check(!c_.item_type().empty(), "item_type", "must not be empty");
    Check(!c_.target_relation().empty(), "target_relation", "must not be empty");
    Check(c_.layers() >= 0 && c_.layers() <= 8, "layers", "must be in [0, 8]");
    for (int i = 0; i < c_.fanouts_size(); ++i)
      Check(c_.fanouts(i) >= 1 || c_.fanouts(i) == -1, "fanouts",
            "each fanout must be >= 1, or -1 for the full neighbourhood", i);
    Check(c_.hops_size() == 0 || c_.hops_size() == c_.fanouts_size(), "hops",
          "give one relation filter per fanout (" + std::to_string(c_.fanouts_size()) +
              " fanouts, " + std::to_string(c_.hops_size()) + " hops)");
    Check(c_.walk_length() >= 2, "walk_length", "must be >= 2");
    Check(c_.walks_per_node() >= 1, "walks_per_node", "must be >= 1");
    Check(c_.window() >= 1, "window", "must be >= 1");
    Check(c_.negatives() >= 0 && c_.negatives() <= 100000, "negatives", "must be in [0, 100000]");
    Check(c_.negative_power() >= 0 && c_.negative_power() <= 1, "negative_power",
          "must be in [0, 1]");
    Check(Positive(c_.temperature()), "temperature", "must be a finite number > 0");
    Check(c_.hard_negatives() >= 0, "hard_negatives", "must be >= 0");
    Check(std::isfinite(c_.l2()) && c_.l2() >= 0, "l2", "must be a finite number >= 0");
    Check(Positive(c_.init_stddev()), "init_stddev", "must be a finite number > 0");
    Check(std::isfinite(c_.attention_slope()) && c_.attention_slope() >= 0 &&
              c_.attention_slope() < 1,
          "attention_slope", "must be in [0, 1)");
    Check(std::isfinite(c_.item_id_dropout()) && c_.item_id_dropout() >= 0 && c_.item_id_dropout() < 1,
          "item_id_dropout", "must be in [0, 1)");
    Check(c_.item_id_dropout() == 0 || c_.model() == TrainConfig::KGNN, "item_id_dropout",
          "is a KGNN option (LightGCN and skip-gram have no other way to represent an item)");
    Check(c_.kgnn_aggregator() == TrainConfig::CONCAT || c_.model() == TrainConfig::KGNN, "kgnn_aggregator",
          "is a KGNN option");
    Check(c_.checkpoint_every_steps() >= 0, "checkpoint_every_steps", "must be >= 0");
    Check(c_.eval_every_epochs() >= 0, "eval_every_epochs", "must be >= 0");
    Check(c_.eval_k() >= 1, "eval_k", "must be >= 1");
    Check(c_.threads() >= 1 && c_.threads() <= 1024, "threads", "must be in [1, 1024]");
    for (int i = 0; i < c_.metapaths_size(); ++i) CheckMetapath(i);
    switch (c_.model()) {
      case TrainConfig::SGNS:
        Check(c_.loss() == TrainConfig::BPR || c_.loss() == TrainConfig::SAMPLED_SOFTMAX, "loss",
              "unknown loss");
        Check(c_.negatives() >= 1 || c_.loss() == TrainConfig::SAMPLED_SOFTMAX, "negatives",
              "skip-gram with negative sampling needs negatives >= 1");
        break;
      case TrainConfig::LIGHTGCN:
        Check(c_.fanouts_size() > 0 || c_.layers() >= 1, "layers",
              "LightGCN needs layers >= 1 (or fanouts)");
        Check(c_.negatives() >= 1 || c_.loss() == TrainConfig::SAMPLED_SOFTMAX, "negatives",
              "BPR needs negatives >= 1");
        break;
      case TrainConfig::KGNN:
        Check(c_.fanouts_size() >= 1, "model", "kgnn needs fanouts (one per hop)");
        Check(c_.negatives() >= 1 || c_.loss() == TrainConfig::SAMPLED_SOFTMAX, "negatives",
              "BPR needs negatives >= 1");
        break;
    }
  }

 private:
  static bool Positive(float v) { return std::isfinite(v) && v > 0; }

  // type-relation-type-...-type: an odd number of non-empty parts, at least 3.
  void CheckMetapath(int i) const {
    std::vector<std::string> parts;
    std::stringstream ss(c_.metapaths(i));
    std::string part;
    while (std::getline(ss, part, '-')) parts.push_back(part);
    bool ok = parts.size() >= 3 && parts.size() % 2 == 1 && c_.metapaths(i).back() != '-';
    for (const std::string& p : parts) ok = ok && !p.empty();
    Check(ok, "metapaths",
          "'" + c_.metapaths(i) +
              "' is not type-relation-type[-relation-type...] (e.g. "
              "user-listened-artist-rev_listened-user)",
          i);
  }

  const TrainConfig& c_;
  const pb::TextFormat::ParseInfoTree& tree_;
  std::string name_;
};

}  // namespace

TrainConfig ParseTrainConfig(const std::string& text, const std::string& name) {
  TrainConfig config;
  pb::TextFormat::Parser parser;
  CollectFirstError errors;
  pb::TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(text, &config)) {
    if (errors.has_error) throw InputError(name, errors.line, errors.column, errors.message);
    throw InputError(name, 1, 0, "cannot parse the training config");
  }
  Validator(config, tree, name).Run();
  return config;
}

TrainConfig LoadTrainConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open training config " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("cannot read training config " + path);
  return ParseTrainConfig(ss.str(), path);
}

std::string FormatTrainConfig(const TrainConfig& config) {
  // Materialise the defaults so the text shows every value the run used.
  TrainConfig full = config;
  const pb::Descriptor* d = TrainConfig::descriptor();
  const pb::Reflection* r = TrainConfig::GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() || r->HasField(full, f)) continue;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32: r->SetInt32(&full, f, r->GetInt32(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_INT64: r->SetInt64(&full, f, r->GetInt64(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(&full, f, r->GetUInt64(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT: r->SetFloat(&full, f, r->GetFloat(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: r->SetBool(&full, f, r->GetBool(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_ENUM: r->SetEnum(&full, f, r->GetEnum(full, f)); break;
      case pb::FieldDescriptor::CPPTYPE_STRING: r->SetString(&full, f, r->GetString(full, f)); break;
      default: break;
    }
  }
  std::string text;
  pb::TextFormat::PrintToString(full, &text);
  return text;
}

std::string ModelKindName(TrainConfig::ModelKind kind) {
  switch (kind) {
    case TrainConfig::SGNS: return "sgns";
    case TrainConfig::LIGHTGCN: return "lightgcn";
    case TrainConfig::KGNN: return "kgnn";
  }
  return "unknown";
}

}  // namespace melograph
