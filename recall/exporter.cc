// Export of an embedding run (contract in recall/exporter.h).
#include "recall/exporter.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <thread>

#include "common/error.h"
#include "common/hash.h"
#include "common/text.h"
#include "proto/export_manifest.pb.h"
#include "recall/export_npy.h"
#include "recall/export_word2vec.h"
#include "recall/faiss_index.h"

namespace melograph {
namespace {

constexpr int64_t kFaissBatchRows = 4096;

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Writes every requested format for one stream of rows of one node type: a run shard's rows of
// that type (shard >= 0) or all shards' rows (shard == -1, merged files).
class TypeSink {
 public:
  TypeSink(const AtomicDirectory& dir, const std::string& type, int shard, int64_t rows, int dim,
           const ExportOptions& options)
      : type_(type), shard_(shard), rows_expected_(rows), dim_(dim) {
    stem_ = shard >= 0 ? type + "/shard-" + std::to_string(shard) : type;
    keys_ = Open(dir, ".keys.tsv", "keys");
    if (Has(options.formats, "npy")) {
      npy_ = Open(dir, ".npy", "npy");
      npy_->file->Write(NpyHeader(rows, dim));
    }
    if (Has(options.formats, "w2v")) {
      w2v_ = Open(dir, ".w2v.txt", "w2v");
      w2v_->file->Write(Word2VecHeader(rows, dim));
    }
    if (Has(options.formats, "faiss")) {
      FaissIndexOptions fo;
      fo.kind = options.hnsw ? FaissIndexKind::kHnswIP : FaissIndexKind::kFlatIP;
      fo.hnsw_m = options.hnsw_m;
      fo.hnsw_ef_construction = options.hnsw_ef_construction;
      fo.hnsw_ef_search = options.hnsw_ef_search;
      fo.seed = HashCombine(options.seed, HashBytes(type), static_cast<uint64_t>(shard + 1));
      faiss_ = std::make_unique<FaissIndex>(dim, fo);
      faiss_path_ = dir.File(stem_ + ".faiss");
      batch_.reserve(static_cast<size_t>(std::min(rows, kFaissBatchRows) * dim));
    }
  }

  void Add(NodeId node, const float* row, const Graph& graph) {
    const std::string key = graph.Key(node);
    line_.clear();
    AppendInt(line_, rows_);
    line_ += '\t';
    AppendInt(line_, node);
    line_ += '\t';
    line_ += key;
    line_ += '\n';
    keys_->file->Write(line_);
    if (npy_) npy_->file->Write(row, static_cast<size_t>(dim_) * sizeof(float));
    if (w2v_) {
      line_.clear();
      AppendWord2VecRow(line_, key, row, dim_);
      w2v_->file->Write(line_);
    }
    if (faiss_) {
      batch_.insert(batch_.end(), row, row + dim_);
      batch_ids_.push_back(node);
      if (static_cast<int64_t>(batch_ids_.size()) == kFaissBatchRows) FlushFaiss();
    }
    ++rows_;
  }

  // Commits every file and appends their manifest entries.
  void Commit(std::vector<proto::ExportFile>& files) {
    if (rows_ != rows_expected_) {
      throw FormatError(stem_ + ": exported " + std::to_string(rows_) + " rows of type '" + type_ +
                        "', the run manifest says " + std::to_string(rows_expected_));
    }
    for (Output* out : {keys_.get(), npy_.get(), w2v_.get()}) {
      if (!out) continue;
      out->file->Commit();
      files.push_back(
          Entry(out->name, out->format, out->file->bytes_written(), out->file->crc32()));
    }
    if (faiss_) {
      FlushFaiss();
      const std::string bytes = faiss_->Serialize();
      AtomicFile file(faiss_path_);
      file.Write(bytes);
      file.Commit();
      proto::ExportFile e = Entry(stem_ + ".faiss", "faiss", file.bytes_written(), file.crc32());
      e.set_index_kind(faiss_->Description());
      files.push_back(e);
    }
  }

 private:
  struct Output {
    std::unique_ptr<AtomicFile> file;
    std::string name;
    std::string format;
  };

  std::unique_ptr<Output> Open(const AtomicDirectory& dir, const char* ext, const char* format) {
    auto out = std::make_unique<Output>();
    out->name = stem_ + ext;
    out->format = format;
    out->file = std::make_unique<AtomicFile>(dir.File(out->name));
    return out;
  }

  proto::ExportFile Entry(const std::string& name, const std::string& format, int64_t bytes,
                          uint32_t crc) const {
    proto::ExportFile e;
    e.set_path(name);
    e.set_format(format);
    e.set_node_type(type_);
    e.set_shard(shard_);
    e.set_rows(rows_);
    e.set_dim(dim_);
    e.set_bytes(bytes);
    e.set_crc32(crc);
    return e;
  }

  void FlushFaiss() {
    if (batch_ids_.empty()) return;
    faiss_->Add(static_cast<int64_t>(batch_ids_.size()), batch_.data(), batch_ids_.data());
    batch_.clear();
    batch_ids_.clear();
  }

  std::string type_;
  int shard_;
  int64_t rows_expected_;
  int dim_;
  std::string stem_;
  int64_t rows_ = 0;
  std::string line_;
  std::unique_ptr<Output> keys_, npy_, w2v_;
  std::unique_ptr<FaissIndex> faiss_;
  std::string faiss_path_;
  std::vector<float> batch_;
  std::vector<int64_t> batch_ids_;
};

// Runs task(i) for i in [0, tasks) on `threads` threads; rethrows the first failure (by index).
template <typename Task>
void RunParallel(int tasks, int threads, Task task) {
  std::atomic<int> next{0};
  std::vector<std::future<void>> workers;
  for (int t = 0; t < std::min(threads, tasks); ++t) {
    workers.push_back(std::async(std::launch::async, [&] {
      for (int i = next++; i < tasks; i = next++) task(i);
    }));
  }
  for (auto& w : workers) w.wait();
  for (auto& w : workers) w.get();
}

}  // namespace

ExportSummary ExportRun(const RunReader& run, const Graph& graph, const ExportOptions& options) {
  for (const std::string& f : options.formats) {
    if (f != "npy" && f != "w2v" && f != "faiss") {
      throw UsageError("--format: unknown format '" + f + "' (expected npy, w2v, faiss)");
    }
  }
  if (options.out_dir.empty()) throw UsageError("--out is required");
  run.CheckGraph(graph, options.graph_dir);
  run.CheckIds(graph);

  // Node types to export, in graph order; type index -> exported?
  std::vector<std::string> types = options.node_types;
  if (types.empty()) {
    for (const auto& [name, rows] : run.type_rows()) types.push_back(name);
  }
  std::vector<int> wanted(graph.node_types().size(), 0);
  for (const std::string& name : types) {
    const auto t = graph.FindType(name);
    if (!t) throw UsageError("--types: the graph has no node type '" + name + "'");
    if (run.RowsOf(name) == 0)
      throw UsageError("--types: the run has no rows of node type '" + name + "'");
    wanted[*t] = 1;
  }

  AtomicDirectory dir(options.out_dir);
  for (size_t t = 0; t < wanted.size(); ++t) {
    if (wanted[t]) MakeDirectories(dir.File(graph.node_types()[t].name));
  }
  const int num_shards = static_cast<int>(run.shards().size());
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int dim = run.dim();

  // Per shard: one pass over its rows feeding one sink per exported type.
  std::vector<std::vector<proto::ExportFile>> shard_files(static_cast<size_t>(num_shards));
  RunParallel(num_shards, threads, [&](int k) {
    const RunReader::Shard shard = run.OpenShard(k, /*verify_checksums=*/true);
    const RunShardInfo& info = run.shards()[static_cast<size_t>(k)];
    std::vector<std::unique_ptr<TypeSink>> sinks(wanted.size());
    for (size_t t = 0; t < wanted.size(); ++t) {
      const std::string& name = graph.node_types()[t].name;
      if (wanted[t])
        sinks[t] = std::make_unique<TypeSink>(dir, name, k, info.RowsOf(name), dim, options);
    }
    for (size_t i = 0; i < shard.ids.size(); ++i) {
      TypeSink* sink = sinks[graph.TypeOf(shard.ids[i])].get();
      if (sink) sink->Add(shard.ids[i], shard.row(static_cast<int64_t>(i)), graph);
    }
    for (auto& sink : sinks) {
      if (sink) sink->Commit(shard_files[static_cast<size_t>(k)]);
    }
  });

  // Merge: per type, stream every shard in order into one set of files.
  std::vector<size_t> merged_types;
  for (size_t t = 0; t < wanted.size(); ++t) {
    if (wanted[t] && options.merge) merged_types.push_back(t);
  }
  std::vector<std::vector<proto::ExportFile>> merged_files(merged_types.size());
  RunParallel(static_cast<int>(merged_types.size()), threads, [&](int m) {
    const size_t t = merged_types[static_cast<size_t>(m)];
    const std::string& name = graph.node_types()[t].name;
    TypeSink sink(dir, name, -1, run.RowsOf(name), dim, options);
    for (int k = 0; k < num_shards; ++k) {
      const RunReader::Shard shard = run.OpenShard(k, /*verify_checksums=*/false);
      for (size_t i = 0; i < shard.ids.size(); ++i) {
        if (graph.TypeOf(shard.ids[i]) == t)
          sink.Add(shard.ids[i], shard.row(static_cast<int64_t>(i)), graph);
      }
    }
    sink.Commit(merged_files[static_cast<size_t>(m)]);
  });

  proto::ExportManifest manifest;
  auto* v = manifest.mutable_version();
  v->set_tool("melograph");
  v->set_major(1);
  v->set_minor(0);
  manifest.set_run_dir(run.run_dir());
  manifest.set_run_manifest_crc32(run.manifest_crc32());
  manifest.set_model(run.info().model);
  manifest.set_dim(dim);
  ExportSummary summary;
  summary.threads = std::min(threads, std::max(num_shards, 1));
  for (size_t t = 0; t < wanted.size(); ++t) {
    if (!wanted[t]) continue;
    const std::string& name = graph.node_types()[t].name;
    manifest.add_node_types(name);
    summary.type_rows.emplace_back(name, run.RowsOf(name));
    summary.rows += run.RowsOf(name);
  }
  for (const std::string& f : options.formats) manifest.add_formats(f);
  manifest.set_hnsw(options.hnsw);
  manifest.set_merged(options.merge);
  manifest.set_hnsw_m(options.hnsw_m);
  manifest.set_hnsw_ef_construction(options.hnsw_ef_construction);
  manifest.set_seed(options.seed);
  for (const auto* group : {&shard_files, &merged_files}) {
    for (const auto& files : *group) {
      for (const auto& f : files) {
        *manifest.add_files() = f;
        ++summary.files;
        summary.bytes += f.bytes();
      }
    }
  }
  std::string bytes;
  manifest.SerializeToString(&bytes);
  WriteWholeFile(dir.File("manifest.pb"), bytes);
  dir.Commit();
  return summary;
}

}  // namespace melograph
