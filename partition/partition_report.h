// Partition quality: edge cut, per-part counts and loads, imbalance per constraint, and the
// human + script readable report.
//
// Definitions (docs/PARTITION.md):
//  * edge cut: undirected projection edges (distinct node pairs, no self loops) whose ends lie
//    in different parts; edge_cut_fraction = edge_cut / undirected_edges;
//  * csr_cut_fraction: stored CSR entries (relation edges, both directions) crossing parts;
//  * imbalance_<c> = max over parts of load_c / (total_c / K); 1.0 is perfect.
//  * remote_sample_fraction (remote_sampling.h): with hub replicas, picks of replicated nodes
//    count as local; remote_sample_fraction_without_replicas counts every pick by its owner.
// The report ends with a `key: value` block (one key per line, no spaces in keys) holding at
// least edge_cut_fraction, remote_sample_fraction, halo_nodes and imbalance_<constraint>, plus
// remote_sample_fraction_without_replicas, replicated_nodes and replicated_entries.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "partition/partition_types.h"
#include "partition/vertex_weights.h"
#include "proto/partition_manifest.pb.h"

namespace melograph {

// Fills manifest->quality (cut, imbalance) and manifest->parts (nodes, edges, seeds,
// cut_edges, constraint_load); the parts list is resized to num_parts.
void MeasurePartitionQuality(const Graph& graph, const Assignment& part, int32_t num_parts,
                             const VertexWeights& weights, const std::vector<uint8_t>& seeds,
                             proto::PartitionManifest* manifest);

std::string FormatPartitionReport(const proto::PartitionManifest& manifest);

}  // namespace melograph
