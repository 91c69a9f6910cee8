#include "graph/graph_builder.h"

#include <algorithm>
#include <numeric>

#include "common/error.h"
#include "common/resource.h"
#include "common/text.h"

namespace melograph {

DuplicatePolicy ParseDuplicatePolicy(std::string_view s) {
  if (s == "sum") return DuplicatePolicy::kSum;
  if (s == "max") return DuplicatePolicy::kMax;
  if (s == "first") return DuplicatePolicy::kFirst;
  if (s == "last") return DuplicatePolicy::kLast;
  throw UsageError("unknown duplicate policy '" + std::string(s) + "' (expected sum, max, first or last)");
}

std::string_view ToString(DuplicatePolicy p) {
  switch (p) {
    case DuplicatePolicy::kSum: return "sum";
    case DuplicatePolicy::kMax: return "max";
    case DuplicatePolicy::kFirst: return "first";
    case DuplicatePolicy::kLast: return "last";
  }
  return "sum";
}

GraphBuilder::GraphBuilder(GraphBuildOptions options) : options_(std::move(options)) {}

int32_t GraphBuilder::TypeIndex(std::string_view type) {
  const int32_t t = type_names_.Intern(type);
  if (static_cast<size_t>(t) == types_.size()) {
    if (types_.size() >= 65535) throw LimitError("graph: more than 65535 node types");
    types_.push_back(TypeSlot{std::string(type), {}});
  }
  return t;
}

int32_t GraphBuilder::RelationIndex(std::string_view name, int32_t head_type, int32_t tail_type) {
  if (last_relation_ >= 0) {
    const RelationKey& k = relations_[last_relation_];
    if (k.head_type == head_type && k.tail_type == tail_type && k.name == name) return last_relation_;
  }
  for (size_t r = 0; r < relations_.size(); ++r) {
    const RelationKey& k = relations_[r];
    if (k.head_type == head_type && k.tail_type == tail_type && k.name == name)
      return last_relation_ = static_cast<int32_t>(r);
  }
  if (relations_.size() * 2 >= kMaxRelations) throw LimitError("graph: too many relations");
  relations_.push_back(RelationKey{std::string(name), head_type, tail_type});
  return last_relation_ = static_cast<int32_t>(relations_.size() - 1);
}

void GraphBuilder::AddNode(std::string_view type, std::string_view id) {
  FlushPending();
  types_[TypeIndex(type)].ids.Intern(id);
}

GraphBuilder::EdgeChunk::EdgeChunk(size_t capacity)
    : memory((capacity * sizeof(int32_t) + 7) / 8 + (capacity + 63) / 64 +
                 (capacity * (2 * sizeof(int32_t) + sizeof(uint16_t)) + 7) / 8,
             PageSize::kHuge),
      capacity_(capacity) {
  // The run heads first, then the rest by decreasing alignment: bits, the 4-byte arrays, the
  // relations. Every array but run_src is written edge by edge, in order, so huge pages cost
  // them at most one partly written 2 MiB page each; run_src holds one entry per run (~14% of
  // its capacity on train.tsv) and stays on 4 KiB pages, so its unused end is never resident.
  run_src = reinterpret_cast<int32_t*>(memory.data());
  AdviseSmallPages(run_src, capacity * sizeof(int32_t));
  run_start = memory.data() + (capacity * sizeof(int32_t) + 7) / 8;
  dst = reinterpret_cast<int32_t*>(run_start + (capacity + 63) / 64);
  weight = reinterpret_cast<float*>(dst + capacity);
  rel = reinterpret_cast<uint16_t*>(weight + capacity);
}

void GraphBuilder::Append(int32_t src, int32_t dst, int32_t relation, float weight) {
  if (chunks_.empty() || chunks_.back().size == chunks_.back().capacity())
    chunks_.emplace_back(chunks_.empty() ? size_t{1024} : std::min(2 * chunks_.back().capacity(), kMaxChunkEdges));
  EdgeChunk& c = chunks_.back();
  if (c.runs == 0 || c.run_src[c.runs - 1] != src) {
    c.run_src[c.runs++] = src;
    c.run_start[c.size / 64] |= uint64_t{1} << (c.size % 64);
  }
  c.dst[c.size] = dst;
  c.rel[c.size] = static_cast<uint16_t>(relation);
  c.weight[c.size] = weight;
  ++c.size;
}

void GraphBuilder::FlushPending() {
  const size_t n = pending_.size();
  if (n == 0) return;
  uint64_t head_hash[kPendingBatch], tail_hash[kPendingBatch];
  bool same_head[kPendingBatch];
  const auto id = [&](uint32_t offset, uint32_t size) {
    return std::string_view(pending_ids_.data() + offset, size);
  };
  for (size_t i = 0; i < n; ++i) {
    const PendingEdge& p = pending_[i];
    const RelationKey& k = relations_[p.relation];
    const std::string_view head = id(p.head_offset, p.head_size);
    if (i == 0) {
      same_head[i] = k.head_type == last_head_type_ && SameText(head, last_head_id_);
    } else {
      const PendingEdge& q = pending_[i - 1];
      same_head[i] = k.head_type == relations_[q.relation].head_type && SameText(head, id(q.head_offset, q.head_size));
    }
    if (!same_head[i]) {
      head_hash[i] = StringInterner::HashOf(head);
      types_[k.head_type].ids.Prefetch(head_hash[i]);
    }
    tail_hash[i] = StringInterner::HashOf(id(p.tail_offset, p.tail_size));
    types_[k.tail_type].ids.Prefetch(tail_hash[i]);
  }
  int32_t h = last_head_;
  for (size_t i = 0; i < n; ++i) {
    const PendingEdge& p = pending_[i];
    const RelationKey& k = relations_[p.relation];
    StringInterner& heads = types_[k.head_type].ids;
    StringInterner& tails = types_[k.tail_type].ids;
    if (!same_head[i]) h = heads.Intern(id(p.head_offset, p.head_size), head_hash[i]);
    const int32_t t = tails.Intern(id(p.tail_offset, p.tail_size), tail_hash[i]);
    if (heads.size() > static_cast<size_t>(kMaxNodes) || tails.size() > static_cast<size_t>(kMaxNodes))
      throw LimitError("graph: more than 2^31 nodes");
    Append(h, t, p.relation, p.weight);
  }
  const PendingEdge& last = pending_[n - 1];
  last_head_type_ = relations_[last.relation].head_type;
  last_head_ = h;
  last_head_id_.assign(id(last.head_offset, last.head_size));
  pending_.clear();
  pending_ids_.clear();
}

void GraphBuilder::AddEdge(std::string_view head_type, std::string_view head_id,
                           std::string_view relation, std::string_view tail_type,
                           std::string_view tail_id, float weight) {
  // Fast path: consecutive triples usually share relation and types, so compare names with the
  // previous relation's before hashing anything.
  // Then (files often alternate a few relations, e.g. listened / rejected) the known relations by
  // name, before interning the type names.
  const auto matches = [&](int32_t r) {
    const RelationKey& k = relations_[static_cast<size_t>(r)];
    return SameText(k.name, relation) && SameText(types_[k.head_type].name, head_type) &&
           SameText(types_[k.tail_type].name, tail_type);
  };
  int32_t r = -1;
  if (last_relation_ >= 0 && matches(last_relation_)) {
    r = last_relation_;
  } else {
    for (size_t i = 0; i < relations_.size() && r < 0; ++i)
      if (matches(static_cast<int32_t>(i))) r = last_relation_ = static_cast<int32_t>(i);
    if (r < 0) {
      const int32_t ht = TypeIndex(head_type);
      const int32_t tt = TypeIndex(tail_type);
      r = RelationIndex(relation, ht, tt);
    }
  }
  if (head_id.size() > UINT32_MAX / 4 || tail_id.size() > UINT32_MAX / 4)
    throw LimitError("graph: node id longer than 1 GiB");
  const auto head_offset = static_cast<uint32_t>(pending_ids_.size());
  pending_ids_.append(head_id);
  const auto tail_offset = static_cast<uint32_t>(pending_ids_.size());
  pending_ids_.append(tail_id);
  pending_.push_back(PendingEdge{head_offset, static_cast<uint32_t>(head_id.size()), tail_offset,
                                 static_cast<uint32_t>(tail_id.size()), r, weight});
  // Flush by count, or early when long ids would push the offsets past 32 bits.
  if (pending_.size() == kPendingBatch || pending_ids_.size() > UINT32_MAX / 2) FlushPending();
}

void GraphBuilder::AddEdgeKeys(std::string_view head_key, std::string_view relation,
                               std::string_view tail_key, float weight) {
  const size_t hc = head_key.find(':');
  const size_t tc = tail_key.find(':');
  if (hc == std::string_view::npos || tc == std::string_view::npos)
    throw UsageError("graph: key without ':' in edge " + std::string(head_key) + " -> " + std::string(tail_key));
  AddEdge(head_key.substr(0, hc), head_key.substr(hc + 1), relation, tail_key.substr(0, tc),
          tail_key.substr(tc + 1), weight);
}

namespace {

// Ids of `ids` in byte order of their strings. Sorted by their first 8 bytes as a big-endian
// integer (zero padded) first, which decides most comparisons without reading the strings;
// runs with equal first 8 bytes are then sorted by the whole string.
std::vector<int32_t> ByteOrder(const StringInterner& ids) {
  struct Keyed {
    uint64_t prefix;
    int32_t id;
  };
  const size_t n = ids.size();
  std::vector<Keyed> keyed(n);
  for (size_t k = 0; k < n; ++k) {
    const std::string_view s = ids.Get(static_cast<int32_t>(k));
    uint64_t prefix = 0;
    for (size_t i = 0; i < 8; ++i)
      prefix = prefix << 8 | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
    keyed[k] = Keyed{prefix, static_cast<int32_t>(k)};
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) { return a.prefix < b.prefix; });
  for (size_t b = 0; b < n;) {
    size_t e = b + 1;
    while (e < n && keyed[e].prefix == keyed[b].prefix) ++e;
    if (e - b > 1)
      std::sort(keyed.begin() + static_cast<std::ptrdiff_t>(b), keyed.begin() + static_cast<std::ptrdiff_t>(e),
                [&](const Keyed& x, const Keyed& y) { return ids.Get(x.id) < ids.Get(y.id); });
    b = e;
  }
  std::vector<int32_t> order(n);
  for (size_t k = 0; k < n; ++k) order[k] = keyed[k].id;
  return order;
}

}  // namespace

Graph GraphBuilder::Build(GraphBuildStats* stats) {
  FlushPending();
  const size_t num_types = types_.size();
  // 1. Node types by name; ids within a type by bytes.
  std::vector<int32_t> type_order(num_types);
  std::iota(type_order.begin(), type_order.end(), 0);
  std::sort(type_order.begin(), type_order.end(),
            [&](int32_t a, int32_t b) { return types_[a].name < types_[b].name; });
  std::vector<int32_t> type_rank(num_types);
  for (size_t i = 0; i < num_types; ++i) type_rank[type_order[i]] = static_cast<int32_t>(i);

  std::vector<NodeType> node_types(num_types);
  std::vector<TypeDictionary> dictionaries(num_types);
  std::vector<HugeVector<NodeId>> local_to_global(num_types);
  int64_t next = 0;
  for (size_t i = 0; i < num_types; ++i) {
    TypeSlot& slot = types_[type_order[i]];
    const size_t n = slot.ids.size();
    if (next + static_cast<int64_t>(n) > kMaxNodes) throw LimitError("graph: more than 2^31 - 2 nodes");
    const std::vector<int32_t> order = ByteOrder(slot.ids);
    std::vector<std::string_view> sorted_ids(n);
    auto& map = local_to_global[type_order[i]];
    map.resize(n);
    for (size_t k = 0; k < n; ++k) {
      sorted_ids[k] = slot.ids.Get(order[k]);
      map[order[k]] = static_cast<NodeId>(next + static_cast<int64_t>(k));
    }
    node_types[i] = NodeType{slot.name, static_cast<NodeId>(next), static_cast<NodeId>(n)};
    dictionaries[i] = TypeDictionary::Build(sorted_ids);
    next += static_cast<int64_t>(n);
    slot.ids = StringInterner();  // free as we go
  }
  const NodeId num_nodes = static_cast<NodeId>(next);
  // 2. Relation table: forward relations sorted, each followed by its reverse.
  std::vector<int32_t> rel_order(relations_.size());
  std::iota(rel_order.begin(), rel_order.end(), 0);
  auto rel_sort_key = [&](int32_t r) {
    const RelationKey& k = relations_[r];
    return std::tie(k.name, types_[k.head_type].name, types_[k.tail_type].name);
  };
  std::sort(rel_order.begin(), rel_order.end(), [&](int32_t a, int32_t b) { return rel_sort_key(a) < rel_sort_key(b); });
  std::vector<Relation> relations;
  std::vector<RelationId> fwd_id(relations_.size()), rev_id(relations_.size());
  std::vector<bool> is_symmetric(relations_.size(), false);
  for (int32_t r : rel_order) {
    const RelationKey& k = relations_[r];
    const bool sym = std::find(options_.symmetric_relations.begin(), options_.symmetric_relations.end(), k.name) !=
                     options_.symmetric_relations.end();
    const TypeId ht = static_cast<TypeId>(type_rank[k.head_type]);
    const TypeId tt = static_cast<TypeId>(type_rank[k.tail_type]);
    if (sym && ht != tt)
      throw UsageError("relation '" + k.name + "' is declared symmetric but joins different node types (" +
                       types_[k.head_type].name + " -> " + types_[k.tail_type].name + ")");
    is_symmetric[r] = sym;
    const RelationId f = static_cast<RelationId>(relations.size());
    if (sym) {
      relations.push_back(Relation{k.name, ht, tt, false, true, f, 0});
      fwd_id[r] = rev_id[r] = f;
    } else {
      relations.push_back(Relation{k.name, ht, tt, false, false, static_cast<RelationId>(f + 1), 0});
      relations.push_back(Relation{"rev_" + k.name, tt, ht, true, false, f, 0});
      fwd_id[r] = f;
      rev_id[r] = static_cast<RelationId>(f + 1);
    }
  }

  // 3. Degrees (each directed edge gives two entries; a symmetric self loop gives one).
  // From here the CSR fills in while the chunks are still held: the builder's peak. Free heap
  // memory a caller kept for reuse while reading (KeepHeapPad) goes back to the system first.
  ReleaseFreeHeap();
  const size_t m = AccumulatedEdges();
  AnonymousArray<EdgeIdx> row_ptr(static_cast<size_t>(num_nodes) + 1, PageSize::kHuge);  // zero filled
  // Tails are looked up at random, so each is translated once, here, and stored back as its
  // global id for the fill below. (Heads stay local: a run holds one local id, but its edges'
  // relations may give it different types; their lookups hit the same entry anyway.)
  // In blocks, like the fill: a block's tails are translated and their counters fetched before
  // any is incremented, so the cache misses on row_ptr overlap.
  constexpr size_t kDegreeBlock = 64;
  for (EdgeChunk& c : chunks_) {
    size_t run = 0;
    for (size_t begin = 0; begin < c.size; begin += kDegreeBlock) {
      const size_t end = std::min(c.size, begin + kDegreeBlock);
      for (size_t i = begin; i < end; ++i) {
        const NodeId d = c.dst[i] = local_to_global[relations_[c.rel[i]].tail_type][c.dst[i]];
        __builtin_prefetch(&row_ptr[d + 1], 1);
      }
      for (size_t i = begin; i < end; ++i) {
        run += c.StartsRun(i);
        const NodeId s = local_to_global[relations_[c.rel[i]].head_type][c.run_src[run - 1]];
        const NodeId d = c.dst[i];
        ++row_ptr[s + 1];
        if (!(is_symmetric[c.rel[i]] && s == d)) ++row_ptr[d + 1];
      }
    }
  }
  for (NodeId v = 0; v < num_nodes; ++v) row_ptr[v + 1] += row_ptr[v];
  const EdgeIdx entries = row_ptr[num_nodes];

  // 4. Fill, last edge first: row_ptr[v + 1] starts as the end of row v and is moved down to its
  // start, so every row gets its entries in input order (a directed self loop: forward entry
  // first) without a cursor array. Each chunk is freed once filled in.
  // Large CSR arrays are on huge pages: the fill below writes all over them, and with 4 KiB
  // pages it pays a TLB miss per write and a page fault per 4 KiB (~10 us each on a VM with
  // shadow page tables: 1.2 of 4.6 CPU-s at 10^7 edges, docs/BENCHMARKS.md). The price is
  // residency: a 2 MiB page is resident from its first write, so the CSR is all resident while
  // the chunks are still held (+2 B per edge at 10^7), where 4 KiB pages fill in as the chunks
  // go. Small graphs, whose faults cost little, keep 4 KiB pages and the lower peak.
  const PageSize csr_pages = entries >= options_.huge_page_csr_entries ? PageSize::kHuge : PageSize::kSmall;
  AnonymousArray<NodeId> col(static_cast<size_t>(entries), csr_pages);
  AnonymousArray<RelationId> rel(static_cast<size_t>(entries), csr_pages);
  AnonymousArray<float> weight(static_cast<size_t>(entries), csr_pages);
  // The writes land all over the three arrays (a song's reverse entries are spread over the
  // whole input), so edges go in blocks: the row ends of a block are fetched first, then the
  // places they point at, and only then written, so the cache misses of a block overlap.
  constexpr size_t kFillBlock = 64;
  NodeId block_src[kFillBlock], block_dst[kFillBlock];
  for (; !chunks_.empty(); chunks_.pop_back()) {
    const EdgeChunk& c = chunks_.back();
    size_t run = c.runs;  // edges above i belong to runs below `run`
    for (size_t end = c.size; end > 0;) {
      const size_t begin = end > kFillBlock ? end - kFillBlock : 0;
      for (size_t i = end; i-- > begin; run -= c.StartsRun(i)) {  // edge i: run `run - 1`
        const RelationKey& k = relations_[c.rel[i]];
        const NodeId s = block_src[i - begin] = local_to_global[k.head_type][c.run_src[run - 1]];
        const NodeId d = block_dst[i - begin] = c.dst[i];  // global since the degree pass
        __builtin_prefetch(&row_ptr[s + 1]);
        __builtin_prefetch(&row_ptr[d + 1]);
      }
      for (size_t i = end; i-- > begin;) {
        const EdgeIdx ps = row_ptr[block_src[i - begin] + 1] - 1;
        const EdgeIdx pd = row_ptr[block_dst[i - begin] + 1] - 1;
        __builtin_prefetch(&col[ps], 1);
        __builtin_prefetch(&col[pd], 1);
        __builtin_prefetch(&rel[pd], 1);
        __builtin_prefetch(&weight[ps], 1);
        __builtin_prefetch(&weight[pd], 1);
      }
      for (size_t i = end; i-- > begin;) {
        const uint16_t r = c.rel[i];
        const NodeId s = block_src[i - begin];
        const NodeId d = block_dst[i - begin];
        EdgeIdx p;
        if (!(is_symmetric[r] && s == d)) {
          p = --row_ptr[d + 1];
          col[p] = s;
          rel[p] = rev_id[r];
          weight[p] = c.weight[i];
        }
        p = --row_ptr[s + 1];
        col[p] = d;
        rel[p] = fwd_id[r];
        weight[p] = c.weight[i];
      }
      end = begin;
    }
  }
  for (NodeId v = 0; v < num_nodes; ++v) row_ptr[v] = row_ptr[v + 1];
  row_ptr[num_nodes] = entries;
  local_to_global.clear();

  // 5. Sort each row by (relation, neighbour), keeping input order among equals; merge duplicates.
  struct Entry {
    uint64_t key;
    float weight;
    uint32_t position;  // in the row: sorting by (key, position) is a stable sort by key
    bool operator<(const Entry& o) const { return key != o.key ? key < o.key : position < o.position; }
  };
  std::vector<Entry> buf;
  EdgeIdx out = 0;
  int64_t merged = 0;
  const DuplicatePolicy policy = options_.duplicates;
  for (NodeId v = 0; v < num_nodes; ++v) {
    const EdgeIdx b = row_ptr[v], e = row_ptr[v + 1];
    row_ptr[v] = out;
    buf.resize(static_cast<size_t>(e - b));
    bool sorted = true;
    for (EdgeIdx i = b; i < e; ++i) {
      buf[i - b] = Entry{(uint64_t{rel[i]} << 32) | static_cast<uint32_t>(col[i]), weight[i],
                         static_cast<uint32_t>(i - b)};
      if (i > b && buf[i - b].key < buf[i - b - 1].key) sorted = false;
    }
    if (!sorted) {
      if (buf.size() <= 32) {  // insertion sort: stable, and no buffer to allocate
        for (size_t i = 1; i < buf.size(); ++i) {
          const Entry x = buf[i];
          size_t j = i;
          for (; j > 0 && x.key < buf[j - 1].key; --j) buf[j] = buf[j - 1];
          buf[j] = x;
        }
      } else if (buf.size() <= UINT32_MAX) {
        std::sort(buf.begin(), buf.end());
      } else {  // positions would wrap
        std::stable_sort(buf.begin(), buf.end(), [](const Entry& x, const Entry& y) { return x.key < y.key; });
      }
    }
    for (size_t i = 0; i < buf.size(); ++i) {
      if (out > row_ptr[v] && (uint64_t{rel[out - 1]} << 32 | static_cast<uint32_t>(col[out - 1])) == buf[i].key) {
        float& w = weight[out - 1];
        switch (policy) {
          case DuplicatePolicy::kSum: w += buf[i].weight; break;
          case DuplicatePolicy::kMax: w = std::max(w, buf[i].weight); break;
          case DuplicatePolicy::kFirst: break;
          case DuplicatePolicy::kLast: w = buf[i].weight; break;
        }
        ++merged;
        continue;
      }
      col[out] = static_cast<NodeId>(buf[i].key & 0xffffffffu);
      rel[out] = static_cast<RelationId>(buf[i].key >> 32);
      weight[out] = buf[i].weight;
      ++out;
    }
  }
  row_ptr[num_nodes] = out;
  col.Shrink(static_cast<size_t>(out));  // merged duplicates: the tail pages are unmapped
  rel.Shrink(static_cast<size_t>(out));
  weight.Shrink(static_cast<size_t>(out));
  for (size_t i = 0; i < rel.size(); ++i) ++relations[rel[i]].edge_count;

  if (stats) {
    stats->edges_added = static_cast<int64_t>(m);
    stats->duplicate_edges_merged = merged;
  }
  relations_.clear();
  types_.clear();
  type_names_ = StringInterner();
  last_relation_ = -1;
  last_head_type_ = last_head_ = -1;
  last_head_id_.clear();
  return Graph(std::move(node_types), std::move(relations), ArrayRef<EdgeIdx>(std::move(row_ptr)),
               ArrayRef<NodeId>(std::move(col)), ArrayRef<RelationId>(std::move(rel)),
               ArrayRef<float>(std::move(weight)), NodeDictionary(std::move(dictionaries)));
}

Graph MakeGraph(const std::vector<KeyEdge>& edges, GraphBuildOptions options) {
  GraphBuilder b(std::move(options));
  for (const KeyEdge& e : edges) b.AddEdgeKeys(e.head, e.relation, e.tail, e.weight);
  return b.Build();
}

}  // namespace melograph
