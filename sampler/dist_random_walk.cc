#include "sampler/dist_random_walk.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/error.h"

namespace melograph {
namespace {

// A walker on the wire: kHeaderWords int32, then nbr_count int32 neighbour ids (global, sorted).
struct Walker {
  NodeId start;         // graph id
  int32_t rep;
  NodeId start_global;  // partition global id
  NodeId cur;           // global id, owned by the rank holding the walker
  NodeId prev;          // global id or kInvalidNode
  int32_t phase;        // hops since the walk (re)started
  int32_t step;         // hops taken
  int32_t nbr_count;    // carried neighbour ids of prev (prev owned elsewhere)
};
constexpr size_t kHeaderWords = sizeof(Walker) / sizeof(int32_t);
static_assert(sizeof(Walker) == 8 * sizeof(int32_t));

struct PathRecord {
  NodeId start;   // graph id
  int32_t rep;
  int32_t index;  // position in the path
  NodeId node;    // graph id
};

std::string Str(int64_t v) { return std::to_string(v); }

}  // namespace

OpenedWalkShard OpenWalkShard(const std::string& dir, int32_t part) {
  OpenedWalkShard out;
  out.shard = LoadShard(dir, part);
  out.old_to_new = LoadOldToNew(dir, out.shard.manifest());
  out.node_types = NodeTypesOf(out.shard.manifest());
  out.relations = RelationsOf(out.shard.manifest());
  return out;
}

std::vector<NodeId> OwnedNodesOfType(const WalkShard& view, TypeId type) {
  const PartitionShard& sh = *view.shard;
  const NodeType& t = view.node_types[type];
  std::vector<NodeId> out;
  for (NodeId g = sh.begin(); g < sh.end(); ++g) {
    const NodeId v = sh.original_id(g);
    if (v >= t.begin && v < t.begin + t.count) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Walks DistributedRandomWalks(Communicator& comm, const WalkShard& view, const Metapath& m,
                             std::span<const NodeId> owned_starts, const WalkOptions& o, DistWalkStats* stats) {
  const PartitionShard& sh = *view.shard;
  const int size = comm.size();
  if (sh.num_parts() != size)
    throw UsageError("the partition has " + Str(sh.num_parts()) + " parts but the job runs " + Str(size) + " ranks");
  ValidateWalkRequest(m, view.node_types, owned_starts, o);
  const NodeId n = static_cast<NodeId>(view.old_to_new.size());
  for (NodeId s : owned_starts) {
    if (s < 0 || s >= n) throw UsageError("start node " + Str(s) + " is not in the graph");
    const NodeId g = view.old_to_new[static_cast<size_t>(s)];
    if (!sh.owns(g))
      throw UsageError("start node " + Str(s) + " is owned by rank " + Str(sh.owner(g)) + ", not rank " + Str(comm.rank()));
  }
  DistWalkStats local_stats;
  DistWalkStats& st = stats ? *stats : local_stats;
  st = {};

  std::vector<PathRecord> records;
  std::vector<Walker> active;
  std::vector<NodeId> carried;        // neighbour sets of this round's arrivals, back to back
  std::vector<int64_t> carried_at;    // per active walker: offset into carried
  for (NodeId s : owned_starts) {
    const NodeId g = view.old_to_new[static_cast<size_t>(s)];
    for (int32_t j = 0; j < o.walks_per_node; ++j) {
      active.push_back({s, j, g, g, kInvalidNode, 0, 0, 0});
      carried_at.push_back(0);
      records.push_back({s, j, 0, s});
    }
  }

  // Rows this rank holds: owned, or (view.use_replicas) hub replicas, whose rows read exactly
  // like the owner's, so a walker steps on through them here instead of moving.
  const bool replicas = view.use_replicas && !sh.replica_ids().empty();
  std::vector<uint64_t> replicated;  // one bit per global id: most candidates are rejected by it
  if (replicas) {
    replicated.assign((static_cast<size_t>(n) + 63) / 64, 0);
    for (const NodeId r : sh.replica_ids()) replicated[static_cast<size_t>(r) >> 6] |= uint64_t{1} << (r & 63);
  }
  const auto replica_of = [&](NodeId g) -> int64_t {
    if (!replicas || sh.owns(g) || !(replicated[static_cast<size_t>(g) >> 6] >> (g & 63) & 1u)) return -1;
    return sh.ReplicaIndex(g);
  };
  const auto has_row = [&](NodeId g) { return sh.owns(g) || replica_of(g) >= 0; };
  const auto row_of = [&](NodeId g) { return sh.Row(g, replica_of(g)); };
  std::vector<NodeId> local_set;
  NodeId local_set_of = kInvalidNode;
  const auto neighbor_set_of_local = [&](NodeId g) -> const std::vector<NodeId>& {
    if (local_set_of != g) {
      SortedNeighborSet(row_of(g).col, local_set);
      local_set_of = g;
    }
    return local_set;
  };
  std::vector<std::vector<int32_t>> out(static_cast<size_t>(size));

  for (;;) {
    for (auto& buf : out) buf.clear();
    for (size_t i = 0; i < active.size(); ++i) {
      Walker w = active[i];
      std::span<const NodeId> carried_set(carried.data() + carried_at[i], static_cast<size_t>(w.nbr_count));
      // Looked up once per node, not per draw: a replicated current node's replica index, and
      // whether the previous node's row (node2vec) is here.
      int64_t cur_replica = replica_of(w.cur);
      bool prev_here = w.prev != kInvalidNode && has_row(w.prev);
      while (w.step < o.walk_length) {
        Rng rng = WalkRng(o, w.start, w.rep, w.step);
        NodeId next;
        if (DrawRestart(o, m, w.phase, rng)) {
          next = w.start_global;
          w.prev = kInvalidNode;
          prev_here = false;
          w.phase = 0;
        } else {
          const PartitionShard::HeldRow row = sh.Row(w.cur, cur_replica);
          EdgeIdx lo = 0, hi = static_cast<EdgeIdx>(row.col.size());
          if (const auto r = m.RelationAt(w.phase)) std::tie(lo, hi) = RelationSpan(row.relation, lo, hi, *r);
          const auto cols = row.col.subspan(static_cast<size_t>(lo), static_cast<size_t>(hi - lo));
          const auto weights = row.weight.subspan(static_cast<size_t>(lo), static_cast<size_t>(hi - lo));
          const int64_t pos = DrawNeighbor(
              o, cols, weights, w.prev,
              [&](NodeId x) {
                if (prev_here) {
                  const auto& set = neighbor_set_of_local(w.prev);
                  return std::binary_search(set.begin(), set.end(), x);
                }
                return std::binary_search(carried_set.begin(), carried_set.end(), x);
              },
              rng);
          if (pos < 0) break;  // dead end: the walk ends here
          next = cols[static_cast<size_t>(pos)];
          w.prev = w.cur;
          prev_here = true;
          ++w.phase;
        }
        ++w.step;
        ++st.hops;
        w.cur = next;
        w.nbr_count = 0;
        carried_set = {};
        cur_replica = replica_of(next);
        if (sh.owns(next) || cur_replica >= 0) {
          records.push_back({w.start, w.rep, w.step, sh.Row(next, cur_replica).original});
          continue;
        }
        // Move to the owner of `next`, with prev's neighbour set for a node2vec hop.
        const std::vector<NodeId>* set = nullptr;
        if (o.second_order() && w.prev != kInvalidNode) {
          set = &neighbor_set_of_local(w.prev);
          w.nbr_count = static_cast<int32_t>(set->size());
        }
        auto& buf = out[static_cast<size_t>(sh.owner(next))];
        const size_t at = buf.size();
        buf.resize(at + kHeaderWords);
        std::memcpy(buf.data() + at, &w, sizeof(Walker));
        if (set) buf.insert(buf.end(), set->begin(), set->end());
        ++st.walkers_sent;
        break;
      }
    }

    const auto got = comm.AllToAllV(out);
    ++st.rounds;
    st.walker_bytes_sent += comm.last_exchange().bytes_sent;
    active.clear();
    carried.clear();
    carried_at.clear();
    for (int src = 0; src < size; ++src) {
      const std::vector<int32_t>& words = got[static_cast<size_t>(src)];
      size_t pos = 0;
      while (pos < words.size()) {
        const auto broken = [&](const std::string& what) {
          return MpiError("walker message from rank " + Str(src) + " at word " + Str(static_cast<int64_t>(pos)) + ": " + what);
        };
        if (words.size() - pos < kHeaderWords) throw broken("truncated header");
        Walker w;
        std::memcpy(&w, words.data() + pos, sizeof(Walker));
        pos += kHeaderWords;
        if (w.nbr_count < 0 || static_cast<size_t>(w.nbr_count) > words.size() - pos)
          throw broken("neighbour count " + Str(w.nbr_count) + " out of range");
        if (!sh.owns(w.cur)) throw broken("node " + Str(w.cur) + " is not owned here");
        if (w.step < 1 || w.step > o.walk_length || w.rep < 0 || w.rep >= o.walks_per_node || w.start < 0 ||
            w.start >= n || view.old_to_new[static_cast<size_t>(w.start)] != w.start_global)
          throw broken("walker state out of range");
        active.push_back(w);
        carried_at.push_back(static_cast<int64_t>(carried.size()));
        carried.insert(carried.end(), words.begin() + static_cast<std::ptrdiff_t>(pos),
                       words.begin() + static_cast<std::ptrdiff_t>(pos) + w.nbr_count);
        pos += static_cast<size_t>(w.nbr_count);
        records.push_back({w.start, w.rep, w.step, sh.original_id(w.cur)});
      }
    }
    if (comm.Allreduce(static_cast<int64_t>(active.size()), ReduceOp::kSum) == 0) break;
  }

  // Every path record goes to the owner of its walk's start node.
  std::vector<std::vector<PathRecord>> to_owner(static_cast<size_t>(size));
  for (const PathRecord& r : records)
    to_owner[static_cast<size_t>(sh.owner(view.old_to_new[static_cast<size_t>(r.start)]))].push_back(r);
  records.clear();
  const auto mine = comm.AllToAllV(to_owner);
  st.path_bytes_sent = comm.last_exchange().bytes_sent;

  // Each walk owns walk_length + 1 slots; records land in their slot (no sort), then the paths
  // are compacted in the order of owned_starts and repetitions.
  std::unordered_map<NodeId, int64_t> order_of;
  for (size_t i = 0; i < owned_starts.size(); ++i) order_of.emplace(owned_starts[i], static_cast<int64_t>(i));
  const int64_t slots = static_cast<int64_t>(o.walk_length) + 1;
  const int64_t num_walks = static_cast<int64_t>(owned_starts.size()) * o.walks_per_node;
  std::vector<NodeId> slot(static_cast<size_t>(num_walks * slots), kInvalidNode);
  std::vector<int32_t> filled(static_cast<size_t>(num_walks), 0);
  for (const auto& part : mine)
    for (const PathRecord& r : part) {
      const auto it = order_of.find(r.start);
      if (it == order_of.end() || r.rep < 0 || r.rep >= o.walks_per_node || r.index < 0 || r.index >= slots)
        throw MpiError("path record (" + Str(r.start) + ", " + Str(r.rep) + ", " + Str(r.index) + ") out of range");
      const int64_t walk = it->second * o.walks_per_node + r.rep;
      NodeId& at = slot[static_cast<size_t>(walk * slots + r.index)];
      if (at != kInvalidNode) throw MpiError("walk (" + Str(r.start) + ", " + Str(r.rep) + "): index " + Str(r.index) + " twice");
      at = r.node;
      ++filled[static_cast<size_t>(walk)];
    }

  Walks walks;
  walks.nodes.reserve(static_cast<size_t>(std::accumulate(filled.begin(), filled.end(), int64_t{0})));
  for (int64_t walk = 0; walk < num_walks; ++walk) {
    const NodeId start = owned_starts[static_cast<size_t>(walk / o.walks_per_node)];
    const int32_t rep = static_cast<int32_t>(walk % o.walks_per_node);
    walks.start.push_back(start);
    walks.repetition.push_back(rep);
    const int32_t n = filled[static_cast<size_t>(walk)];
    for (int32_t i = 0; i < n; ++i) {
      const NodeId v = slot[static_cast<size_t>(walk * slots + i)];
      if (v == kInvalidNode)
        throw MpiError("walk (" + Str(start) + ", " + Str(rep) + "): path index " + Str(i) + " missing");
      walks.nodes.push_back(v);
    }
    if (n == 0) throw MpiError("walk (" + Str(start) + ", " + Str(rep) + ") has no path records");
    walks.offsets.push_back(static_cast<int64_t>(walks.nodes.size()));
  }
  return walks;
}

}  // namespace melograph
