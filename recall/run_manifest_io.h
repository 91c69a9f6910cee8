// Internal to the run format: conversions between RunInfo/RunShardInfo and the Protobuf
// messages of proto/run_manifest.proto, shared by the writer (run_format.cc) and the reader
// (run_reader.cc). Not a public API.
#pragma once

#include <cstdint>
#include <string>

#include "proto/run_manifest.pb.h"
#include "recall/run_format.h"

namespace melograph::run_io {

std::string Hex(uint64_t v);
// "embeddings/shard-<k><ext>"
std::string ShardName(int k, const char* ext);
// FormatError naming the file when it is missing or does not parse.
void ReadProto(const std::string& path, google::protobuf::Message& message);
void WriteProto(const std::string& path, const google::protobuf::Message& message);
void FillHeader(const RunInfo& info, proto::RunHeader& h);
// FormatError for another major version, a non-positive dimension or shard count.
RunInfo InfoFromHeader(const proto::RunHeader& h, const std::string& path);
RunShardInfo ShardFromProto(const proto::RunShard& s);

}  // namespace melograph::run_io
