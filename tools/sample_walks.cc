// `melograph sample --mode walks`: distributed metapath / node2vec / restart random walks
// (sampler/dist_random_walk.h) and skip-gram pairs over them (sampler/skipgram_pairs.h).
//
// Start nodes: every node of the schema's first type owned by the rank (with no --metapath: the
// rank's training seeds). --batches passes over them, pass b using epoch b. With --verify every
// pass is compared with the serial reference on --graph: the walks, the skip-gram pairs and, with
// --restart, the top-T visit lists.
#include <algorithm>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/resource.h"
#include "common/text.h"
#include "sampler/dist_random_walk.h"
#include "sampler/random_walk.h"
#include "sampler/skipgram_pairs.h"
#include "tools/sample_modes.h"

namespace melograph::cli {
namespace {

std::string Str(int64_t v) { return std::to_string(v); }

// "" when equal; else the first differing walk, named by its start key and repetition.
std::string FirstWalkDifference(const Graph& g, const Walks& expected, const Walks& got) {
  if (expected.num_walks() != got.num_walks())
    return Str(got.num_walks()) + " walks, expected " + Str(expected.num_walks());
  for (int64_t i = 0; i < got.num_walks(); ++i) {
    const size_t k = static_cast<size_t>(i);
    const std::string name = "walk (" + g.Key(expected.start[k]) + ", repetition " + Str(expected.repetition[k]) + ")";
    if (got.start[k] != expected.start[k] || got.repetition[k] != expected.repetition[k])
      return name + ": got walk (" + g.Key(got.start[k]) + ", repetition " + Str(got.repetition[k]) + ")";
    const auto a = expected.walk(i), b = got.walk(i);
    for (size_t j = 0; j < std::max(a.size(), b.size()); ++j) {
      if (j < a.size() && j < b.size() && a[j] == b[j]) continue;
      return name + " position " + Str(static_cast<int64_t>(j)) + ": got " + (j < b.size() ? g.Key(b[j]) : "end") +
             ", expected " + (j < a.size() ? g.Key(a[j]) : "end");
    }
  }
  return "";
}

std::vector<TypeId> ParseKeepTypes(const std::string& list, const std::vector<NodeType>& types) {
  std::vector<TypeId> out;
  if (Trim(list).empty()) return out;
  for (const std::string& raw : SplitList(list, ',')) {
    const std::string_view name = Trim(raw);
    const auto it = std::find_if(types.begin(), types.end(), [&](const NodeType& t) { return t.name == name; });
    if (it == types.end()) throw UsageError("--keep-types: unknown node type '" + std::string(name) + "'");
    out.push_back(static_cast<TypeId>(it - types.begin()));
  }
  return out;
}

}  // namespace

void RunSampleWalks(const SampleCliOptions& o, SampleContext& ctx) {
  Communicator& comm = ctx.comm;
  const OpenedWalkShard opened = OpenWalkShard(ctx.graph.dir(), comm.rank());
  const WalkShard view = opened.view();
  const Metapath m = ParseMetapath(o.metapath, opened.node_types, opened.relations);
  if (o.top < 1) throw UsageError("--top must be >= 1");
  WalkOptions w;
  w.walk_length = o.walk_length;
  w.walks_per_node = o.walks_per_node;
  w.weighted = o.weighted;
  w.p = o.p;
  w.q = o.q;
  w.restart = o.restart;
  w.seed = o.seed;
  SkipGramOptions sg;
  sg.window = o.window;
  sg.subsample = o.subsample;
  sg.seed = o.seed;
  sg.keep_types = ParseKeepTypes(o.keep_types, opened.node_types);
  const std::vector<NodeId> starts = m.unrestricted() ? ctx.seeds : OwnedNodesOfType(view, m.types.front());
  const NodeId num_nodes = static_cast<NodeId>(opened.old_to_new.size());
  const Graph* ref_graph = ctx.reference ? &ctx.reference->graph() : nullptr;
  const Metapath ref_m = ref_graph ? ParseMetapath(o.metapath, *ref_graph) : Metapath{};

  const int64_t passes = std::max<int64_t>(1, o.batches);
  std::string first_difference;
  double walk_seconds = 0, pair_seconds = 0;
  int64_t walks = 0, hops = 0, pairs = 0, top_lists = 0, top_entries = 0, max_rounds = 0;
  DistWalkStats total;
  comm.Barrier();
  for (int64_t pass = 0; pass < passes; ++pass) {
    w.epoch = static_cast<uint64_t>(pass);
    sg.epoch = static_cast<uint64_t>(pass);
    DistWalkStats st;
    double t = WallSeconds();
    const Walks got = DistributedRandomWalks(comm, view, m, starts, w, &st);
    walk_seconds += WallSeconds() - t;
    walks += got.num_walks();
    hops += got.hops();
    total.walkers_sent += st.walkers_sent;
    total.walker_bytes_sent += st.walker_bytes_sent;
    total.path_bytes_sent += st.path_bytes_sent;
    max_rounds = std::max(max_rounds, st.rounds);
    std::vector<int64_t> counts;
    if (sg.subsample > 0) {  // word2vec frequencies over every rank's walks
      counts = CountNodeOccurrences(got, num_nodes);
      comm.Allreduce(std::span<int64_t>(counts), ReduceOp::kSum);
    }
    t = WallSeconds();
    const std::vector<SkipGramPair> got_pairs = SkipGramPairs(got, opened.node_types, sg, counts);
    pair_seconds += WallSeconds() - t;
    pairs += static_cast<int64_t>(got_pairs.size());
    std::vector<std::vector<VisitCount>> got_top;
    if (w.restart > 0) {
      got_top = TopVisited(got, opened.node_types, o.top);
      top_lists += static_cast<int64_t>(got_top.size());
      for (const auto& l : got_top) top_entries += static_cast<int64_t>(l.size());
    }
    if (!ref_graph) continue;
    // Verification (every rank, every pass: the counts allreduce is a collective).
    const Walks expected = RandomWalksReference(*ref_graph, ref_m, starts, w);
    std::vector<int64_t> ref_counts;
    if (sg.subsample > 0) {
      ref_counts = CountNodeOccurrences(expected, num_nodes);
      comm.Allreduce(std::span<int64_t>(ref_counts), ReduceOp::kSum);
    }
    if (!first_difference.empty()) continue;
    std::string d = FirstWalkDifference(*ref_graph, expected, got);
    if (d.empty() && SkipGramPairs(expected, ref_graph->node_types(), sg, ref_counts) != got_pairs)
      d = "skip-gram pairs differ";
    if (d.empty() && w.restart > 0 && TopVisited(expected, ref_graph->node_types(), o.top) != got_top)
      d = "top visited lists differ";
    if (!d.empty()) first_difference = "pass " + Str(pass) + ": " + d;
  }

  std::vector<int64_t> sums = {static_cast<int64_t>(starts.size()), walks, hops, pairs, total.walkers_sent,
                               total.walker_bytes_sent, total.path_bytes_sent, top_lists, top_entries};
  comm.Allreduce(std::span<int64_t>(sums), ReduceOp::kSum);
  const double max_walk_seconds = comm.Allreduce(walk_seconds, ReduceOp::kMax);
  const double max_pair_seconds = comm.Allreduce(pair_seconds, ReduceOp::kMax);
  const int64_t rounds = comm.Allreduce(max_rounds, ReduceOp::kMax);
  PrintValue(ctx, "metapath", m.unrestricted() ? "*" : m.text);
  PrintValue(ctx, "walk_length", Str(w.walk_length));
  PrintValue(ctx, "walks_per_node", Str(w.walks_per_node));
  PrintValue(ctx, "p", FormatDouble(w.p));
  PrintValue(ctx, "q", FormatDouble(w.q));
  PrintValue(ctx, "restart", FormatDouble(w.restart));
  PrintValue(ctx, "passes", Str(passes));
  PrintValue(ctx, "start_nodes", Str(sums[0]));
  PrintValue(ctx, "walks", Str(sums[1]));
  PrintValue(ctx, "walk_steps", Str(sums[2]));
  PrintValue(ctx, "skipgram_pairs", Str(sums[3]));
  if (w.restart > 0) {
    PrintValue(ctx, "top_lists", Str(sums[7]));
    PrintValue(ctx, "mean_top_list_size", FormatDouble(sums[7] ? static_cast<double>(sums[8]) / sums[7] : 0.0));
  }
  if (ctx.reference) {
    ReportVerification(ctx, first_difference);
    return;
  }
  const double steps = static_cast<double>(sums[2]);
  PrintValue(ctx, "walk_seconds", FormatDouble(max_walk_seconds));
  PrintValue(ctx, "walk_steps_per_s", FormatDouble(max_walk_seconds > 0 ? steps / max_walk_seconds : 0.0));
  PrintValue(ctx, "walk_steps_per_s_per_rank",
             FormatDouble(max_walk_seconds > 0 ? steps / max_walk_seconds / comm.size() : 0.0));
  PrintValue(ctx, "exchange_rounds_per_pass", Str(rounds));
  PrintValue(ctx, "remote_step_fraction", FormatDouble(steps > 0 ? static_cast<double>(sums[4]) / steps : 0.0));
  PrintValue(ctx, "bytes_sent_per_step", FormatDouble(steps > 0 ? static_cast<double>(sums[5]) / steps : 0.0));
  PrintValue(ctx, "path_bytes_per_step", FormatDouble(steps > 0 ? static_cast<double>(sums[6]) / steps : 0.0));
  PrintValue(ctx, "skipgram_pairs_per_s",
             FormatDouble(max_pair_seconds > 0 ? static_cast<double>(sums[3]) / max_pair_seconds : 0.0));
}

}  // namespace melograph::cli
