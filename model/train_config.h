// Training configuration: Protobuf text (proto/train_config.proto), loaded and validated once.
//
// Contract: LoadTrainConfig / ParseTrainConfig return a config whose values are in range and
// consistent with its model kind, or throw InputError(file, line, column, reason): syntax
// errors carry the position the protobuf text parser reports; a bad value carries the position
// of the field that holds it (line 1 when the problem is a missing field). Defaults come from
// the schema.
#pragma once

#include <string>

#include "proto/train_config.pb.h"

namespace melograph {

using TrainConfig = proto::TrainConfig;

TrainConfig LoadTrainConfig(const std::string& path);
// `name` is used as the file name in errors.
TrainConfig ParseTrainConfig(const std::string& text, const std::string& name);
// The config in text format with every field (defaults included), for run directories/logs.
std::string FormatTrainConfig(const TrainConfig& config);
// "sgns", "lightgcn", "kgnn".
std::string ModelKindName(TrainConfig::ModelKind kind);

}  // namespace melograph
