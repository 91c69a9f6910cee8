// Balanced label-propagation refinement of a k-way partition: the uncoarsening step of the
// memory-lean multilevel METIS driver (multilevel_metis.h).
//
// Contract:
//  * `iterations` rounds visit the nodes in one random order (Rng(HashCombine(seed, 0x2e1)));
//    a node moves to the part it is most connected to when that connection is strictly more
//    than its connection to its own part (a positive cut gain) and the target part's load stays
//    within max_load[c] for every constraint c (ties between targets: the lower
//    HashCombine(seed, v, part)); a round without a move ends it early;
//  * so the weighted edge cut never increases, and no part that was within max_load leaves it;
//  * returns the total cut gain (the weighted cut before minus after);
//  * deterministic for a seed; O(iterations * m) time; memory: the loads (k * ncon), one
//    connection counter per part, 4 bytes per node for the order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "partition/weighted_adjacency.h"

namespace melograph {

inline constexpr int32_t kRefineIterations = 20;

// floor(imbalance * total_c / K) per constraint: the most a part may hold.
std::vector<int64_t> MaxLoads(std::span<const int64_t> total, double imbalance, int32_t num_parts);

template <typename Adjacency>
int64_t LpRefine(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon, int32_t num_parts,
                 std::span<const int64_t> max_load, int32_t iterations, uint64_t seed, std::vector<int32_t>& part);

}  // namespace melograph
