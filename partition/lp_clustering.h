// Size-constrained label-propagation clustering and contraction: the coarsening step of the
// memory-lean multilevel METIS driver (multilevel_metis.h), after the coarsening of KaMinPar
// (Gottesbüren et al. 2021, "Deep Multilevel Graph Partitioning") and Meyerhenke et al. 2014.
//
// LpCluster contract:
//  * every node starts in its own cluster; `iterations` rounds visit the nodes in one random
//    order (Rng(HashCombine(seed, 0x1c1))); a node moves to the neighbouring cluster with the
//    highest connection weight (sum of edge weights to its members) when that is strictly more
//    than its connection to its own cluster and the move keeps every constraint c of the target
//    within max_weight[c] (ties between other clusters: the lower HashCombine(seed, v, cluster));
//    a round that moves nobody ends it early;
//  * result: cluster[v] in [0, num_clusters), numbered by first appearance in node order; the
//    summed weight of every cluster is within max_weight per constraint, except a cluster of one
//    node that alone exceeds it;
//  * deterministic for a seed; O(iterations * m) time; memory 4 (cluster) + 8 * ncon (weights)
//    + 8 (ratings) + 4 (order) bytes per node, nothing per edge.
// Contract (Contract): the quotient graph of a clustering in METIS's 32-bit CSR: one node per
//  cluster with the summed vertex weights, one entry per pair of clusters joined by an edge with
//  the summed edge weight, intra-cluster edges dropped; symmetric when the input is. Sizes are
//  checked against `max_index` (LimitError) before allocating. Two passes over the edges;
//  memory: the result + 4 bytes per node + 8 per cluster.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "partition/weighted_adjacency.h"

namespace melograph {

struct LpClusteringOptions {
  int32_t iterations = 5;
  uint64_t seed = 1;
  std::vector<int64_t> max_weight;  // per constraint
};

template <typename Adjacency>
std::vector<int32_t> LpCluster(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon,
                               const LpClusteringOptions& options, int32_t* num_clusters);

template <typename Adjacency>
CoarseGraph Contract(const Adjacency& adj, std::span<const int64_t> vwgt, int32_t ncon,
                     const std::vector<int32_t>& cluster, int32_t num_clusters, int64_t max_index);

}  // namespace melograph
