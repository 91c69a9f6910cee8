#include "kg_builder/behaviour_weights.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <cmath>

#include "common/error.h"
#include "common/file_util.h"
#include "common/text.h"

namespace melograph {
namespace {

namespace pb = google::protobuf;

constexpr std::string_view kEventNames[kEventTypeCount] = {
    "play", "full_play", "active_play", "loop",     "search",  "like",  "collect",
    "share", "comment",  "download",    "skip",     "dislike", "block"};

// Sets every unset singular field to its default, recursively, so TextFormat prints it.
void MaterialiseDefaults(pb::Message* message) {
  const pb::Descriptor* d = message->GetDescriptor();
  const pb::Reflection* r = message->GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated()) continue;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        MaterialiseDefaults(r->MutableMessage(message, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE: r->SetDouble(message, f, r->GetDouble(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT: r->SetFloat(message, f, r->GetFloat(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_INT32: r->SetInt32(message, f, r->GetInt32(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_INT64: r->SetInt64(message, f, r->GetInt64(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_UINT32: r->SetUInt32(message, f, r->GetUInt32(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_UINT64: r->SetUInt64(message, f, r->GetUInt64(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_BOOL: r->SetBool(message, f, r->GetBool(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_ENUM: r->SetEnum(message, f, r->GetEnum(*message, f)); break;
      case pb::FieldDescriptor::CPPTYPE_STRING: r->SetString(message, f, r->GetString(*message, f)); break;
    }
  }
}

class FirstErrorCollector : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (has_error) return;
    has_error = true;
    this->line = line;
    this->column = column;
    this->message = message;
  }
  bool has_error = false;
  int line = 0;
  int column = 0;
  std::string message;
};

// Event weight field of `type` in the EventWeights message (fields are named like the events).
const pb::FieldDescriptor* WeightField(EventType type) {
  const pb::FieldDescriptor* f =
      proto::EventWeights::descriptor()->FindFieldByName(std::string(EventTypeName(type)));
  if (!f) throw FormatError("kg_config.proto has no weight for event " + std::string(EventTypeName(type)));
  return f;
}

}  // namespace

std::string_view EventTypeName(EventType type) { return kEventNames[static_cast<int>(type)]; }

namespace {

// Event names by their first four bytes (all names have them, and they differ): a
// multiplicative hash into 64 slots, collision-free for these names (checked at compile time:
// a collision throws in the constant evaluation), then one comparison. A scan of the 13 names
// mispredicted its exit on most events (~2% of build-kg). The comparison is branch-free: names
// are 4 to 12 bytes, which three 4-byte words cover (at 0, at min(4, n - 4) and at n - 4), so a
// slot holds the name's words and length; a SameText call branched on the length class.
constexpr uint32_t Word4(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}
constexpr unsigned EventSlot(uint32_t first4) { return (first4 * 0x9e3779b5u) >> 26; }

struct EventSlots {
  struct Slot {
    uint32_t word[3] = {};  // the name's words at 0, min(4, n - 4), n - 4
    uint32_t size = 0;      // 0: no event (input names have 4 bytes or more)
    int32_t event = -1;
  };
  Slot slot[64] = {};
  constexpr EventSlots() {
    for (int i = 0; i < kEventTypeCount; ++i) {
      const std::string_view name = kEventNames[i];
      if (name.size() < 4 || name.size() > 12) throw "event names need 4 to 12 bytes";
      Slot& x = slot[EventSlot(Word4(name, 0))];
      if (x.event >= 0) throw "event names collide in EventSlot: pick another multiplier";
      const size_t n = name.size();
      x = Slot{{Word4(name, 0), Word4(name, n - 4 < 4 ? n - 4 : 4), Word4(name, n - 4)},
               static_cast<uint32_t>(n),
               i};
    }
  }
};
constexpr EventSlots kEventSlots;

}  // namespace

bool ParseEventType(std::string_view name, EventType* type) {
  const size_t n = name.size();
  if (n < 4 || n > 12) return false;
  const uint32_t w0 = Word4(name, 0);  // one 4-byte load each on x86
  const EventSlots::Slot& x = kEventSlots.slot[EventSlot(w0)];
  const uint32_t differs = (w0 ^ x.word[0]) | (Word4(name, n - 4 < 4 ? n - 4 : 4) ^ x.word[1]) |
                           (Word4(name, n - 4) ^ x.word[2]) | (static_cast<uint32_t>(n) ^ x.size);
  if (differs != 0) return false;  // also for an empty slot: its size 0 differs from n
  *type = static_cast<EventType>(x.event);
  return true;
}

std::string EventTypeList() {
  std::string s;
  for (int i = 0; i < kEventTypeCount; ++i) {
    if (i) s += ", ";
    s += kEventNames[i];
  }
  return s;
}

proto::KgConfig DefaultKgConfig() {
  proto::KgConfig config;
  MaterialiseDefaults(&config);
  return config;
}

proto::KgConfig ParseKgConfigText(std::string_view text, const std::string& name) {
  proto::KgConfig config;
  FirstErrorCollector errors;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    if (errors.has_error)
      throw InputError(name, errors.line + 1, errors.column + 1, errors.message);
    throw InputError(name, 1, 0, "cannot parse KgConfig text");
  }
  MaterialiseDefaults(&config);
  const pb::Reflection* r = config.event_weights().GetReflection();
  for (int i = 0; i < kEventTypeCount; ++i) {
    const double w = r->GetDouble(config.event_weights(), WeightField(static_cast<EventType>(i)));
    if (!std::isfinite(w))
      throw UsageError(name + ": event_weights." + std::string(kEventNames[i]) + " is not finite");
  }
  if (config.max_artists_per_work() < 2)
    throw UsageError(name + ": max_artists_per_work must be at least 2, got " +
                     std::to_string(config.max_artists_per_work()));
  return config;
}

proto::KgConfig LoadKgConfig(const std::string& path) {
  return ParseKgConfigText(ReadWholeFile(path), path);
}

std::string KgConfigToText(const proto::KgConfig& config) {
  std::string text;
  pb::TextFormat::PrintToString(config, &text);
  return text;
}

BehaviourWeights::BehaviourWeights(const proto::KgConfig& config)
    : completion_scaling_(config.completion_scaling()),
      log1p_(config.compression() == proto::KgConfig::LOG1P) {
  const pb::Reflection* r = config.event_weights().GetReflection();
  for (int i = 0; i < kEventTypeCount; ++i)
    base_[i] = r->GetDouble(config.event_weights(), WeightField(static_cast<EventType>(i)));
}

double BehaviourWeights::Compress(double sum) const { return log1p_ ? std::log1p(sum) : sum; }

}  // namespace melograph
