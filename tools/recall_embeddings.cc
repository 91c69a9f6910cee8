// `melograph recall --embeddings RUN` (contract in tools/recall_embeddings.h): one user's top-K
// items by exact inner product and by an HNSW index over the same item vectors, and the
// HNSW recall@K against the exact list.
//
// Output (stdout): two tables "rank<TAB>key<TAB>score" (the HNSW one adds in_exact), then a
// `key: value` block ending with `hnsw_recall_at_k: 0.9800`.
#include "tools/recall_embeddings.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>
#include <vector>

#include "common/error.h"
#include "common/resource.h"
#include "graph/graph_io.h"
#include "recall/faiss_index.h"
#include "recall/run_format.h"
#include "recall/topk_search.h"

namespace melograph::cli {
namespace {

std::string Fixed(double v, const char* format = "%.4f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The user's items under `relation` (every relation of that name from the user's type to the
// item type), as sorted node ids.
std::vector<int64_t> TrainItems(const Graph& graph, NodeId user, TypeId item_type,
                                const std::string& relation) {
  std::vector<int64_t> items;
  const TypeId user_type = graph.TypeOf(user);
  for (RelationId r : graph.FindRelations(relation)) {
    const Relation& rel = graph.relations()[r];
    if (rel.head_type != user_type || rel.tail_type != item_type) continue;
    const auto [first, last] = graph.RelationRange(user, r);
    for (EdgeIdx e = first; e < last; ++e) items.push_back(graph.col_idx()[static_cast<size_t>(e)]);
  }
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

}  // namespace

int RecallWithEmbeddings(const EmbeddingRecallArgs& args) {
  if (args.k <= 0) throw UsageError("--k must be positive");
  const Graph graph = LoadGraph(args.graph_dir);
  const RunReader run(args.run_dir);
  run.CheckGraph(graph, args.graph_dir);
  const auto user = graph.Find(args.user_key);
  if (!user) throw UsageError("--user: no node '" + args.user_key + "' in " + args.graph_dir);
  const auto item_type = graph.FindType(args.item_type);
  if (!item_type)
    throw UsageError("--item-type: the graph has no node type '" + args.item_type + "'");

  const std::string& user_type = graph.node_types()[graph.TypeOf(*user)].name;
  const EmbeddingMatrix users = LoadEmbeddings(args.run_dir, graph, user_type);
  const EmbeddingMatrix items = LoadEmbeddings(args.run_dir, graph, args.item_type);
  const float* query = users.row(*user - users.first_node);
  std::vector<int64_t> ids(static_cast<size_t>(items.rows));
  for (int64_t i = 0; i < items.rows; ++i) ids[static_cast<size_t>(i)] = items.first_node + i;
  const std::vector<int64_t> excluded =
      args.exclude_train ? TrainItems(graph, *user, *item_type, args.target_relation)
                         : std::vector<int64_t>{};

  double t0 = WallSeconds();
  const std::vector<SearchHit> exact =
      ExactTopK(items.values.data(), items.rows, items.dim, ids, query, args.k, excluded);
  const double exact_seconds = WallSeconds() - t0;

  std::string out = "user: " + args.user_key + "\n";
  out += "item_type: " + args.item_type + "\n";
  out += "k: " + std::to_string(args.k) + "\n";
  out += "excluded_train_items: " + std::to_string(excluded.size()) + "\n";
  out += "# exact inner product\nrank\tkey\tscore\n";
  for (size_t i = 0; i < exact.size(); ++i) {
    out += std::to_string(i + 1) + "\t" + graph.Key(static_cast<NodeId>(exact[i].id)) + "\t" +
           Fixed(exact[i].score, "%.6g") + "\n";
  }
  std::string tail = "exact_seconds: " + Fixed(exact_seconds) + "\n";

  if (args.hnsw) {
    FaissIndexOptions fo;
    fo.kind = FaissIndexKind::kHnswIP;
    fo.hnsw_m = args.hnsw_m;
    fo.hnsw_ef_search = args.hnsw_ef_search;
    t0 = WallSeconds();
    FaissIndex index(items.dim, fo);
    index.Add(items.rows, items.values.data(), ids.data());
    const double build_seconds = WallSeconds() - t0;
    // Ask for k + |excluded| so k items remain after dropping the user's training items.
    const int want = static_cast<int>(
        std::min<int64_t>(items.rows, args.k + static_cast<int64_t>(excluded.size())));
    std::vector<float> scores(static_cast<size_t>(want));
    std::vector<int64_t> labels(static_cast<size_t>(want));
    t0 = WallSeconds();
    index.Search(1, query, want, scores.data(), labels.data());
    const double search_seconds = WallSeconds() - t0;
    std::vector<SearchHit> approx;
    for (int i = 0; i < want && static_cast<int>(approx.size()) < args.k; ++i) {
      if (labels[static_cast<size_t>(i)] < 0) continue;
      if (std::binary_search(excluded.begin(), excluded.end(), labels[static_cast<size_t>(i)]))
        continue;
      approx.push_back({labels[static_cast<size_t>(i)], scores[static_cast<size_t>(i)]});
    }
    std::unordered_set<int64_t> truth;
    for (const SearchHit& h : exact) truth.insert(h.id);
    out += "# hnsw inner product (M=" + std::to_string(args.hnsw_m) +
           ", ef_search=" + std::to_string(args.hnsw_ef_search) + ")\nrank\tkey\tscore\tin_exact\n";
    for (size_t i = 0; i < approx.size(); ++i) {
      out += std::to_string(i + 1) + "\t" + graph.Key(static_cast<NodeId>(approx[i].id)) + "\t" +
             Fixed(approx[i].score, "%.6g") + "\t" + (truth.count(approx[i].id) ? "yes" : "no") +
             "\n";
    }
    tail += "hnsw_build_seconds: " + Fixed(build_seconds) + "\n";
    tail += "hnsw_search_seconds: " + Fixed(search_seconds, "%.6f") + "\n";
    tail += "hnsw_recall_at_k: " + Fixed(RecallAgainst(exact, approx)) + "\n";
  }
  std::fputs((out + tail).c_str(), stdout);
  return 0;
}

}  // namespace melograph::cli
