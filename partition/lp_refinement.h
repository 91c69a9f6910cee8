// Balanced label-propagation refinement of a k-way partition, with pairwise exchanges and
// relax-and-rebalance cycles: the refinement after METIS (metis_partitioner.h) and the
// uncoarsening step of the multilevel driver (multilevel_metis.h).
//
// Contract (LpRefine):
//  * move rounds visit the nodes in one random order (Rng(HashCombine(seed, 0x2e1))), after the
//    first round only those with a neighbour that moved since their last visit; a node
//    moves to the part it is most connected to when that connection is strictly more than its
//    connection to its own part (a positive cut gain) and the target part's load stays within
//    max_load[c] for every constraint c (ties between targets: the lower
//    HashCombine(seed, v, part));
//  * when a round moves nobody, an exchange round pairs positive moves A -> B refused by the
//    limit with refused moves B -> A (best gains first, 16 partners tried) and applies a pair when
//    its joint gain is positive and neither part ends above its limit (or heavier than before);
//    rounds end at `iterations` or when an exchange round finds nothing;
//  * then up to `relax_cycles` cycles: for each constraint and relaxation 2%, 1%, 0.5% of its
//    limit, a copy is refined under the loosened limit, rebalanced (nodes leave parts above the
//    strict limit, least cut increase per unit of the overloaded constraint first, only into
//    parts with room) and refined again under the strict limit; the copy is kept only if its
//    cut is lower; cycles stop when none is kept;
//  * so the weighted edge cut never increases, and no part that was within max_load leaves it;
//  * returns the total cut gain (the weighted cut before minus after);
//  * deterministic for a seed; O(m) per round; memory: loads (k * ncon), one counter per part,
//    4 bytes per node for the order, a partition copy per cycle.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "partition/weighted_adjacency.h"

namespace melograph {

inline constexpr int32_t kRefineIterations = 20;
// Relax-and-rebalance cycles cost ~100 rounds each: run them on graphs (or levels) of at most
// kRelaxMaxEntries adjacency entries only.
inline constexpr int64_t kRelaxMaxEntries = 4'000'000;
inline int32_t RelaxCycles(int64_t entries) { return entries <= kRelaxMaxEntries ? 6 : 0; }

// floor(imbalance * total_c / K) per constraint: the most a part may hold.
std::vector<int64_t> MaxLoads(std::span<const int64_t> total, double imbalance, int32_t num_parts);

template <typename Adjacency>
int64_t LpRefine(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon, int32_t num_parts,
                 std::span<const int64_t> max_load, int32_t iterations, uint64_t seed, std::vector<int32_t>& part,
                 int32_t relax_cycles = 0);

}  // namespace melograph
