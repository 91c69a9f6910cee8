#include "sampler/dist_graph.h"

#include "common/error.h"
#include "graph/graph_io.h"

namespace melograph {

DistGraph DistGraph::Open(Communicator& comm, const std::string& dir, bool verify_checksums, bool use_replicas) {
  const proto::PartitionManifest manifest = LoadPartitionManifest(dir);
  if (static_cast<int64_t>(manifest.num_parts()) != comm.size())
    throw UsageError("partition " + dir + " has " + std::to_string(manifest.num_parts()) + " parts but the job runs " +
                     std::to_string(comm.size()) + " ranks: start it with mpirun -np " +
                     std::to_string(manifest.num_parts()) + " (one rank per part)");
  DistGraph g;
  g.comm_ = &comm;
  g.dir_ = dir;
  g.shard_ = LoadShard(dir, comm.rank(), verify_checksums);
  g.old_to_new_ = LoadOldToNew(dir, g.shard_.manifest());
  const size_t n = static_cast<size_t>(g.shard_.num_nodes_total());
  if (g.old_to_new_.size() != n)
    throw FormatError(dir + "/old_to_new.bin: " + std::to_string(g.old_to_new_.size()) + " entries for " +
                      std::to_string(n) + " nodes");
  g.new_to_old_.assign(n, kInvalidNode);
  for (size_t v = 0; v < n; ++v) {
    const NodeId gid = g.old_to_new_[v];
    if (gid < 0 || static_cast<size_t>(gid) >= n || g.new_to_old_[static_cast<size_t>(gid)] != kInvalidNode)
      throw FormatError(dir + "/old_to_new.bin: entry " + std::to_string(v) + " (" + std::to_string(gid) +
                        ") is out of range or repeated: not a permutation");
    g.new_to_old_[static_cast<size_t>(gid)] = static_cast<NodeId>(v);
  }
  for (NodeId x = g.shard_.begin(); x < g.shard_.end(); ++x)
    if (g.new_to_old_[static_cast<size_t>(x)] != g.shard_.original_id(x))
      throw FormatError(dir + ": original_id.bin of part " + std::to_string(comm.rank()) +
                        " disagrees with old_to_new.bin at global id " + std::to_string(x));
  const auto replicas = g.shard_.replica_ids();
  for (size_t i = 0; i < replicas.size(); ++i)
    if (g.new_to_old_[static_cast<size_t>(replicas[i])] != g.shard_.replica_original_ids()[i])
      throw FormatError(dir + ": replicas/original_id.bin disagrees with old_to_new.bin at global id " +
                        std::to_string(replicas[i]));
  g.use_replicas_ = use_replicas && !replicas.empty();
  if (g.use_replicas_) {
    g.replicated_.assign((n + 63) / 64, 0);
    for (const NodeId r : replicas) g.replicated_[static_cast<size_t>(r) >> 6] |= uint64_t{1} << (static_cast<size_t>(r) & 63);
  }
  g.relations_ = RelationTable::FromManifest(g.shard_.manifest());
  g.types_ = TypeRangesOf(g.shard_.manifest());
  MELOGRAPH_ASSERT_ALL_AGREE(comm, g.num_nodes(), "partition node count");
  return g;
}

std::vector<NodeId> DistGraph::SeedGraphIds() const {
  std::vector<NodeId> out;
  out.reserve(shard_.seeds().size());
  for (NodeId g : shard_.seeds()) out.push_back(GraphIdOfGlobal(g));
  return out;
}

SerialGraph::SerialGraph(std::shared_ptr<const Graph> graph)
    : graph_(std::move(graph)), relations_(RelationTable::FromGraph(*graph_)), types_(TypeRangesOf(*graph_)) {}

SerialGraph SerialGraph::Load(const std::string& graph_dir, bool verify_checksums) {
  return SerialGraph(std::make_shared<const Graph>(LoadGraph(graph_dir, verify_checksums)));
}

void CheckSameGraph(const SerialGraph& serial, const DistGraph& dist) {
  const std::string where = "graph directory and partition " + dist.dir() + " ";
  if (serial.num_nodes() != dist.num_nodes())
    throw UsageError(where + "differ in node count (" + std::to_string(serial.num_nodes()) + " vs " +
                     std::to_string(dist.num_nodes()) + ")");
  if (serial.graph().num_edges() != dist.manifest().num_edges())
    throw UsageError(where + "differ in CSR entry count (" + std::to_string(serial.graph().num_edges()) + " vs " +
                     std::to_string(dist.manifest().num_edges()) + ")");
  if (!(serial.relations() == dist.relations())) throw UsageError(where + "have different relation tables");
  if (!(serial.node_types() == dist.node_types())) throw UsageError(where + "have different node types");
}

}  // namespace melograph
