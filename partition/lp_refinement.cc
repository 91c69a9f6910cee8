// Balanced label-propagation refinement with pairwise exchanges (see lp_refinement.h).
#include "partition/lp_refinement.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "common/hash.h"

namespace melograph {

std::vector<int64_t> MaxLoads(std::span<const int64_t> total, double imbalance, int32_t num_parts) {
  std::vector<int64_t> max_load(total.size());
  for (size_t c = 0; c < total.size(); ++c)
    max_load[c] = static_cast<int64_t>(std::floor(imbalance * static_cast<double>(total[c]) / num_parts));
  return max_load;
}

namespace {

template <typename Adjacency>
class Refiner {
 public:
  Refiner(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon, int32_t num_parts,
          std::span<const int64_t> max_load, uint64_t seed, std::vector<int32_t>& part)
      : adj_(adj), vwgt_(vwgt), ncon_(ncon), k_(num_parts), max_load_(max_load), seed_(seed), part_(part),
        load_(static_cast<size_t>(num_parts) * ncon, 0), conn_(static_cast<size_t>(num_parts), 0) {
    const NodeId n = adj.num_nodes();
    for (NodeId v = 0; v < n; ++v)
      for (int32_t c = 0; c < ncon; ++c) load_[Slot(part[v], c)] += W(v, c);
    active_.assign(static_cast<size_t>(n), 1);
    order_ = RandomOrder(n, HashCombine(seed, 0x2e1ULL));
  }

  // One round of single moves; with `blocked`, positive moves refused by the load limit are
  // recorded there as (source part, target part, -gain, node).
  int64_t MoveRound(int64_t* gain_total, std::vector<std::tuple<int32_t, int32_t, int64_t, NodeId>>* blocked) {
    int64_t moved = 0;
    for (const NodeId v : order_) {
      // A node is visited again only after a neighbour moved (or in an exchange round, which
      // looks at every node).
      if (!blocked && !active_[v]) continue;
      active_[v] = 0;
      const int32_t own = part_[v];
      Connect(v);
      int32_t best = own, wanted = own;
      int64_t best_conn = conn_[own], wanted_conn = conn_[own];
      uint64_t best_tie = 0, wanted_tie = 0;
      for (const int32_t p : touched_) {
        if (p == own) continue;
        const uint64_t tie = HashCombine(seed_, static_cast<uint64_t>(v), static_cast<uint64_t>(p));
        if (conn_[p] > wanted_conn || (conn_[p] == wanted_conn && wanted != own && tie < wanted_tie)) {
          wanted = p;
          wanted_conn = conn_[p];
          wanted_tie = tie;
        }
        if (conn_[p] < best_conn) continue;
        if (conn_[p] == best_conn && (best == own || tie >= best_tie)) continue;
        if (!Fits(p, v)) continue;
        best = p;
        best_conn = conn_[p];
        best_tie = tie;
      }
      const int64_t gain = best_conn - conn_[own];
      if (blocked && best == own && wanted != own) blocked->emplace_back(own, wanted, conn_[own] - wanted_conn, v);
      Clear();
      if (best == own) continue;
      Move(v, best);
      *gain_total += gain;
      ++moved;
    }
    return moved;
  }

  // Pairs of blocked moves A -> B and B -> A whose exchange cuts less and keeps both parts
  // within their limits (or no heavier than before).
  int64_t ExchangeRound(int64_t* gain_total) {
    std::vector<std::tuple<int32_t, int32_t, int64_t, NodeId>> blocked;
    MoveRound(gain_total, &blocked);
    std::sort(blocked.begin(), blocked.end());
    int64_t exchanged = 0;
    constexpr int kTries = 16;
    size_t i = 0;
    while (i < blocked.size()) {
      const int32_t a = std::get<0>(blocked[i]), b = std::get<1>(blocked[i]);
      size_t j = i;
      while (j < blocked.size() && std::get<0>(blocked[j]) == a && std::get<1>(blocked[j]) == b) ++j;
      if (a < b) {
        const auto first = std::lower_bound(blocked.begin(), blocked.end(), std::make_tuple(b, a, INT64_MIN, NodeId{0}));
        auto last = first;
        while (last != blocked.end() && std::get<0>(*last) == b && std::get<1>(*last) == a) ++last;
        std::vector<NodeId> back;
        for (auto it = first; it != last; ++it) back.push_back(std::get<3>(*it));
        size_t next_back = 0;
        for (size_t x = i; x < j && next_back < back.size(); ++x) {
          const NodeId u = std::get<3>(blocked[x]);
          if (part_[u] != a) continue;
          const int64_t gain_u = Gain(u, b);
          if (gain_u <= 0) continue;
          CopyLoads(a, before_a_);
          CopyLoads(b, before_b_);
          Move(u, b);
          bool done = false;
          for (size_t t = next_back; t < back.size() && t < next_back + kTries; ++t) {
            const NodeId y = back[t];
            if (part_[y] != b) continue;
            const int64_t gain_y = Gain(y, a);
            if (gain_u + gain_y <= 0) continue;
            Move(y, a);
            if (WithinOrNotHeavier(a, before_a_) && WithinOrNotHeavier(b, before_b_)) {
              *gain_total += gain_u + gain_y;
              ++exchanged;
              std::swap(back[t], back[next_back]);
              ++next_back;
              done = true;
              break;
            }
            Move(y, b);
          }
          if (!done) Move(u, a);
        }
      }
      i = j;
    }
    return exchanged;
  }

  // Moves nodes out of parts above max_load, cheapest cut increase per unit of the relieved
  // constraint first, into parts with room for them; returns the cut increase, or -1 if some part
  // is still above its limit after `passes` passes.
  int64_t Rebalance(int32_t passes) {
    int64_t loss = 0;
    for (int32_t pass = 0; pass < passes; ++pass) {
      std::vector<std::tuple<double, NodeId>> candidates;
      for (const NodeId v : order_) {
        const int32_t p = part_[v];
        int32_t over = -1;
        for (int32_t c = 0; c < ncon_ && over < 0; ++c)
          if (load_[Slot(p, c)] > max_load_[c] && W(v, c) > 0) over = c;
        if (over < 0) continue;
        Connect(v);
        int64_t best = INT64_MIN;
        for (int32_t q = 0; q < k_; ++q)
          if (q != p && Fits(q, v)) best = std::max(best, conn_[q] - conn_[p]);
        Clear();
        if (best == INT64_MIN) continue;
        candidates.emplace_back(static_cast<double>(-best) / static_cast<double>(W(v, over)), v);
      }
      if (candidates.empty()) break;
      std::sort(candidates.begin(), candidates.end());
      for (const auto& [ratio, v] : candidates) {
        const int32_t p = part_[v];
        bool needed = false;
        for (int32_t c = 0; c < ncon_; ++c)
          if (load_[Slot(p, c)] > max_load_[c] && W(v, c) > 0) needed = true;
        if (!needed) continue;
        Connect(v);
        int32_t target = -1;
        int64_t best = INT64_MIN;
        for (int32_t q = 0; q < k_; ++q)
          if (q != p && Fits(q, v) && conn_[q] - conn_[p] > best) {
            best = conn_[q] - conn_[p];
            target = q;
          }
        Clear();
        if (target < 0) continue;
        Move(v, target);
        loss -= best;
      }
      if (Balanced()) return loss;
    }
    return Balanced() ? loss : -1;
  }

  bool Balanced() const {
    for (int32_t p = 0; p < k_; ++p)
      for (int32_t c = 0; c < ncon_; ++c)
        if (load_[Slot(p, c)] > max_load_[c]) return false;
    return true;
  }

  void SetMaxLoad(std::span<const int64_t> max_load) { max_load_ = max_load; }

 private:
  size_t Slot(int32_t p, int32_t c) const { return static_cast<size_t>(p) * ncon_ + c; }
  int64_t W(NodeId v, int32_t c) const { return vwgt_[static_cast<size_t>(v) * ncon_ + c]; }
  bool Fits(int32_t p, NodeId v) const {
    for (int32_t c = 0; c < ncon_; ++c)
      if (load_[Slot(p, c)] + W(v, c) > max_load_[c]) return false;
    return true;
  }
  void CopyLoads(int32_t p, std::vector<int64_t>& out) const {
    out.assign(load_.begin() + static_cast<std::ptrdiff_t>(Slot(p, 0)),
               load_.begin() + static_cast<std::ptrdiff_t>(Slot(p, 0) + ncon_));
  }
  bool WithinOrNotHeavier(int32_t p, const std::vector<int64_t>& before) const {
    for (int32_t c = 0; c < ncon_; ++c)
      if (load_[Slot(p, c)] > max_load_[c] && load_[Slot(p, c)] > before[c]) return false;
    return true;
  }
  void Connect(NodeId v) {
    touched_.clear();
    adj_.ForEach(v, [&](NodeId u, int64_t w) {
      const int32_t p = part_[u];
      if (conn_[p] == 0) touched_.push_back(p);
      conn_[p] += w;
    });
  }
  void Clear() {
    for (const int32_t p : touched_) conn_[p] = 0;
  }
  int64_t Gain(NodeId v, int32_t target) {
    Connect(v);
    const int64_t g = conn_[target] - conn_[part_[v]];
    Clear();
    return g;
  }
  void Move(NodeId v, int32_t to) {
    const int32_t from = part_[v];
    for (int32_t c = 0; c < ncon_; ++c) {
      load_[Slot(from, c)] -= W(v, c);
      load_[Slot(to, c)] += W(v, c);
    }
    part_[v] = to;
    active_[v] = 1;
    adj_.ForEach(v, [&](NodeId u, int64_t) { active_[u] = 1; });
  }

  const Adjacency& adj_;
  std::span<const int64_t> vwgt_;
  int32_t ncon_, k_;
  std::span<const int64_t> max_load_;
  uint64_t seed_;
  std::vector<int32_t>& part_;
  std::vector<int64_t> load_;
  std::vector<int64_t> conn_;
  std::vector<int32_t> touched_;
  std::vector<NodeId> order_;
  std::vector<uint8_t> active_;
  std::vector<int64_t> before_a_, before_b_;  // loads of an exchange's two parts before it
};

}  // namespace

template <typename Adjacency>
int64_t RefineWithin(Refiner<Adjacency>& r, int32_t iterations) {
  int64_t gain = 0;
  int32_t round = 0;
  while (round < iterations) {
    // Single moves until none is left, then one round of exchanges; stop when that finds none.
    while (round < iterations && r.MoveRound(&gain, nullptr) > 0) ++round;
    if (round >= iterations) break;
    ++round;
    if (r.ExchangeRound(&gain) == 0) break;
  }
  return gain;
}

template <typename Adjacency>
int64_t LpRefine(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon, int32_t num_parts,
                 std::span<const int64_t> max_load, int32_t iterations, uint64_t seed, std::vector<int32_t>& part,
                 int32_t relax_cycles) {
  int64_t gain = 0;
  {
    Refiner<Adjacency> r(adj, vwgt, ncon, num_parts, max_load, seed, part);
    gain = RefineWithin(r, iterations);
  }
  // Relax-and-rebalance cycles: refine with a looser limit, move the overflow back out at the
  // least cost, refine again within the limit; kept only when the cut fell.
  for (int32_t cycle = 0; cycle < relax_cycles; ++cycle) {
  bool improved = false;
  for (int32_t relaxed = 0; relaxed < ncon; ++relaxed) {
    for (const double relax : {1.02, 1.01, 1.005}) {
      std::vector<int32_t> trial = part;
      std::vector<int64_t> loose(max_load.begin(), max_load.end());
      loose[relaxed] = static_cast<int64_t>(std::floor(static_cast<double>(loose[relaxed]) * relax));
      Refiner<Adjacency> r(adj, vwgt, ncon, num_parts, loose, HashCombine(seed, 0x3a7ULL, cycle, relaxed), trial);
      int64_t g = RefineWithin(r, iterations);
      r.SetMaxLoad(max_load);
      const int64_t loss = r.Rebalance(8);
      if (loss < 0) continue;
      g -= loss;
      g += RefineWithin(r, iterations);
      if (g > 0) {
        part.swap(trial);
        gain += g;
        improved = true;
      }
    }
  }
  if (!improved) break;
  }
  return gain;
}

template int64_t LpRefine(const FineAdjacency&, std::span<const int64_t>, int32_t, int32_t, std::span<const int64_t>,
                          int32_t, uint64_t, std::vector<int32_t>&, int32_t);
template int64_t LpRefine(const ClusteredAdjacency&, std::span<const int64_t>, int32_t, int32_t,
                          std::span<const int64_t>, int32_t, uint64_t, std::vector<int32_t>&, int32_t);
template int64_t LpRefine(const CoarseGraph&, std::span<const int64_t>, int32_t, int32_t, std::span<const int64_t>,
                          int32_t, uint64_t, std::vector<int32_t>&, int32_t);

}  // namespace melograph
