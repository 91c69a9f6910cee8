#include "graph/graph_builder.h"

#include <algorithm>
#include <cstring>
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
    : memory((2 * capacity * sizeof(int32_t) + 7) / 8 + (capacity + 63) / 64 +
                 (capacity * (sizeof(int32_t) + sizeof(uint16_t) + 1) + 7) / 8,
             PageSize::kHuge),
      capacity_(capacity) {
  // The run heads and the exceptions first, then the rest by decreasing alignment: bits, heads,
  // relations, weight codes. Those are written edge by edge, in order, so huge pages cost them
  // at most one partly written 2 MiB page each. run_src holds one entry per run (~14% of its
  // capacity on train.tsv) and the exceptions one per uncoded weight (~10%): both stay on 4 KiB
  // pages, so their unused ends are never resident.
  run_src = reinterpret_cast<int32_t*>(memory.data());
  exception = reinterpret_cast<float*>(run_src + capacity);
  AdviseSmallPages(run_src, 2 * capacity * sizeof(int32_t));
  run_start = memory.data() + (2 * capacity * sizeof(int32_t) + 7) / 8;
  dst = reinterpret_cast<int32_t*>(run_start + (capacity + 63) / 64);
  rel = reinterpret_cast<uint16_t*>(dst + capacity);
  weight_code = reinterpret_cast<uint8_t*>(rel + capacity);
}

uint8_t GraphBuilder::WeightCode(uint32_t bits, float weight) {
  // Open addressing on the bits (the table stays in the L1 cache); a new value takes the next
  // code while there are codes left.
  for (uint32_t i = (bits * 0x9e3779b1u) >> 23;; i = (i + 1) % weight_slots_.size()) {
    WeightSlot& slot = weight_slots_[i];
    if (slot.code >= 0 && slot.bits == bits) return static_cast<uint8_t>(slot.code);
    if (slot.code < 0) {
      if (weight_values_.size() == kUncodedWeight) return kUncodedWeight;
      slot = WeightSlot{bits, static_cast<int16_t>(weight_values_.size())};
      weight_values_.push_back(weight);
      return static_cast<uint8_t>(slot.code);
    }
  }
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
  uint32_t bits;
  std::memcpy(&bits, &weight, sizeof bits);
  if (bits != last_weight_bits_ || last_weight_code_ == kNoWeightCode) {  // runs of one weight
    last_weight_bits_ = bits;
    last_weight_code_ = WeightCode(bits, weight);
  }
  const auto code = static_cast<uint8_t>(last_weight_code_);
  c.weight_code[c.size] = code;
  if (code == kUncodedWeight) c.exception[c.exceptions++] = weight;
  ++c.size;
}

void GraphBuilder::TrimLastChunk() {
  if (chunks_.empty()) return;
  EdgeChunk& c = chunks_.back();
  // Worth a copy only where the chunk is mostly empty: each of its arrays has at least one 2 MiB
  // page resident however few edges it holds (at 10^6 edges: ~6 MB for 57K edges).
  if (c.size * 2 > c.capacity() || c.capacity() < 4096) return;
  EdgeChunk t((c.size + 63) / 64 * 64);
  std::memcpy(t.run_src, c.run_src, c.runs * sizeof(int32_t));
  std::memcpy(t.run_start, c.run_start, (c.size + 63) / 64 * sizeof(uint64_t));
  std::memcpy(t.dst, c.dst, c.size * sizeof(int32_t));
  std::memcpy(t.exception, c.exception, c.exceptions * sizeof(float));
  std::memcpy(t.rel, c.rel, c.size * sizeof(uint16_t));
  std::memcpy(t.weight_code, c.weight_code, c.size);
  t.size = c.size;
  t.runs = c.runs;
  t.exceptions = c.exceptions;
  c = std::move(t);
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
  // Fast paths: consecutive triples usually share relation and types, so compare names with the
  // previous relation's before hashing anything; and when they change, they mostly change the
  // way they did last time (listened / rejected alternate, a song's catalog relations follow each
  // other in a fixed order), so then with the relation that followed the previous one last time.
  // Then the known relations by name, before interning the type names.
  const auto matches = [&](int32_t r) {
    const RelationKey& k = relations_[static_cast<size_t>(r)];
    return SameText(k.name, relation) && SameText(types_[k.head_type].name, head_type) &&
           SameText(types_[k.tail_type].name, tail_type);
  };
  const int32_t last = last_relation_;
  int32_t r = -1;
  if (last >= 0) {
    if (matches(last)) {
      r = last;
    } else if (const int32_t next = relations_[static_cast<size_t>(last)].successor;
               next >= 0 && matches(next)) {
      r = next;
    }
  }
  if (r < 0) {
    for (size_t i = 0; i < relations_.size() && r < 0; ++i)
      if (matches(static_cast<int32_t>(i))) r = static_cast<int32_t>(i);
    if (r < 0) {
      const int32_t ht = TypeIndex(head_type);
      const int32_t tt = TypeIndex(tail_type);
      r = RelationIndex(relation, ht, tt);
    }
  }
  if (last >= 0 && r != last) relations_[static_cast<size_t>(last)].successor = r;
  last_relation_ = r;
  Queue(r, head_id, tail_id, weight);
}

void GraphBuilder::AddEdgeLikeLast(std::string_view head_id, std::string_view tail_id,
                                   float weight) {
  if (last_relation_ < 0) throw UsageError("graph: AddEdgeLikeLast with no previous edge");
  Queue(last_relation_, head_id, tail_id, weight);
}

void GraphBuilder::Queue(int32_t r, std::string_view head_id, std::string_view tail_id,
                         float weight) {
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
// (Its arrays, ~20 bytes per id, are huge-page vectors: from 1 MiB one page fault per 2 MiB.)
HugeVector<int32_t> ByteOrder(const StringInterner& ids) {
  struct Keyed {
    uint64_t prefix;
    int32_t id;
  };
  const size_t n = ids.size();
  HugeVector<Keyed> keyed(n);
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
  HugeVector<int32_t> order(n);
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
    const HugeVector<int32_t> order = ByteOrder(slot.ids);
    HugeVector<std::string_view> sorted_ids(n);
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
  std::vector<uint8_t> is_symmetric(relations_.size(), 0);  // bytes: read per edge below
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
  TrimLastChunk();
  const size_t m = AccumulatedEdges();
  AnonymousArray<EdgeIdx> row_ptr(static_cast<size_t>(num_nodes) + 1, PageSize::kHuge);  // zero filled
  // Tails are looked up at random, so each is translated once, here, and stored back as its
  // global id for the fill below. (Heads stay local: a run holds one local id, but its edges'
  // relations may give it different types; their lookups hit the same entry anyway.)
  // In blocks, like the fill: a block's tails are translated and their counters fetched before
  // any is incremented, so the cache misses on row_ptr overlap.
  // Edges per relation (and symmetric self loops, stored once) give the relations' entry counts.
  constexpr size_t kDegreeBlock = 64;
  std::vector<int64_t> edges_of(relations_.size(), 0), symmetric_loops(relations_.size(), 0);
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
        ++edges_of[c.rel[i]];
        if (!(is_symmetric[c.rel[i]] && s == d))
          ++row_ptr[d + 1];
        else
          ++symmetric_loops[c.rel[i]];
      }
    }
  }
  for (size_t r = 0; r < relations_.size(); ++r) {  // less the duplicates merged in step 5
    relations[fwd_id[r]].edge_count += edges_of[r];
    relations[rev_id[r]].edge_count += edges_of[r] - symmetric_loops[r];
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
  // the chunks are still held, where 4 KiB pages fill in as the chunks go (at 10^6 events,
  // +3 B per event: 42.3 -> 45.2 MB, for 0.42 -> 0.28 CPU-s). The partial last 2 MiB of each
  // array is on 4 KiB pages (5.4 MB less at 10^6), and the chunks' coded weights leave room.
  const PageSize csr_pages = entries >= options_.huge_page_csr_entries ? PageSize::kHuge : PageSize::kSmall;
  AnonymousArray<NodeId> col(static_cast<size_t>(entries), csr_pages);
  AnonymousArray<RelationId> rel(static_cast<size_t>(entries), csr_pages);
  AnonymousArray<float> weight(static_cast<size_t>(entries), csr_pages);
  if (csr_pages == PageSize::kHuge) {  // the last 2 MiB holds only the arrays' ends
    AdviseSmallTail(col.data(), col.size() * sizeof(NodeId));
    AdviseSmallTail(rel.data(), rel.size() * sizeof(RelationId));
    AdviseSmallTail(weight.data(), weight.size() * sizeof(float));
  }
  // The writes land all over the three arrays (a song's reverse entries are spread over the
  // whole input), so edges go in blocks: the row ends of a block are fetched first, then the
  // places they point at, and only then written, so the cache misses of a block overlap.
  constexpr size_t kFillBlock = 64;
  NodeId block_src[kFillBlock], block_dst[kFillBlock];
  for (; !chunks_.empty(); chunks_.pop_back()) {
    const EdgeChunk& c = chunks_.back();
    size_t run = c.runs;  // edges above i belong to runs below `run`
    size_t exceptions = c.exceptions;  // likewise for the uncoded weights
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
        const uint8_t code = c.weight_code[i];
        const float w = code != kUncodedWeight ? weight_values_[code] : c.exception[--exceptions];
        EdgeIdx p;
        if (!(is_symmetric[r] && s == d)) {
          p = --row_ptr[d + 1];
          col[p] = s;
          rel[p] = rev_id[r];
          weight[p] = w;
        }
        p = --row_ptr[s + 1];
        col[p] = d;
        rel[p] = fwd_id[r];
        weight[p] = w;
      }
      end = begin;
    }
  }
  for (NodeId v = 0; v < num_nodes; ++v) row_ptr[v] = row_ptr[v + 1];
  row_ptr[num_nodes] = entries;
  local_to_global.clear();

  // 5. Sort each row by (relation, neighbour), keeping input order among equals; merge duplicates.
  // A row already in order is only checked (and moved down when merges before it freed room;
  // with repeats, merged in place). Other rows up to 2^17 entries sort one 64-bit word per
  // entry: relation (16 bits), neighbour (31) and the entry's position in the row (17), so a
  // plain integer sort is stable by (relation, neighbour), and weights follow by position
  // (at 10^7 the sorts took 4.5% of build-graph's samples on 16-byte entries compared on two
  // fields, 3% on words). Longer rows sort 16-byte entries stably.
  constexpr size_t kPositionBits = 17;
  constexpr uint64_t kPositionMask = (uint64_t{1} << kPositionBits) - 1;
  struct Entry {
    uint64_t key;
    float weight;
  };
  std::vector<uint64_t> packed;
  std::vector<float> row_weight;
  std::vector<Entry> long_row;
  EdgeIdx out = 0;
  int64_t merged = 0;
  const DuplicatePolicy policy = options_.duplicates;
  const auto merge = [&](EdgeIdx into, float x) {  // a duplicate of entry `into`
    --relations[rel[into]].edge_count;
    ++merged;
    float& w = weight[into];
    switch (policy) {
      case DuplicatePolicy::kSum:
        w += x;
        break;
      case DuplicatePolicy::kMax:
        w = std::max(w, x);
        break;
      case DuplicatePolicy::kFirst:
        break;
      case DuplicatePolicy::kLast:
        w = x;
        break;
    }
  };
  const auto key_at = [&](EdgeIdx i) {
    return uint64_t{rel[i]} << 32 | static_cast<uint32_t>(col[i]);
  };
  for (NodeId v = 0; v < num_nodes; ++v) {
    const EdgeIdx b = row_ptr[v], e = row_ptr[v + 1];
    const EdgeIdx begin = row_ptr[v] = out;
    bool sorted = true, repeats = false;
    for (EdgeIdx i = b + 1; i < e; ++i) {
      const uint64_t x = key_at(i - 1), y = key_at(i);
      if (y < x) {
        sorted = false;
        break;
      }
      repeats |= x == y;
    }
    if (sorted && !repeats) {  // as it is
      if (out != b) {
        std::memmove(&col[out], &col[b], static_cast<size_t>(e - b) * sizeof(NodeId));
        std::memmove(&rel[out], &rel[b], static_cast<size_t>(e - b) * sizeof(RelationId));
        std::memmove(&weight[out], &weight[b], static_cast<size_t>(e - b) * sizeof(float));
      }
      out += e - b;
      continue;
    }
    if (sorted) {  // in order with duplicates: merged in place (entry i is read before out reaches
                   // it)
      for (EdgeIdx i = b; i < e; ++i) {
        if (out > begin && key_at(out - 1) == key_at(i)) {
          merge(out - 1, weight[i]);
          continue;
        }
        col[out] = col[i];
        rel[out] = rel[i];
        weight[out] = weight[i];
        ++out;
      }
      continue;
    }
    const size_t n = static_cast<size_t>(e - b);
    const auto emit = [&](uint64_t key, float w) {
      if (out > begin && key_at(out - 1) == key) {
        merge(out - 1, w);
        return;
      }
      col[out] = static_cast<NodeId>(key & 0xffffffffu);
      rel[out] = static_cast<RelationId>(key >> 32);
      weight[out] = w;
      ++out;
    };
    if (n <= kPositionMask + 1) {
      packed.resize(n);
      row_weight.assign(&weight[b], &weight[b] + n);
      for (size_t k = 0; k < n; ++k) {
        const EdgeIdx i = b + static_cast<EdgeIdx>(k);
        packed[k] =
            uint64_t{rel[i]} << 48 | uint64_t{static_cast<uint32_t>(col[i])} << kPositionBits | k;
      }
      if (n <= 32) {  // insertion sort: no call, and short rows are most
        for (size_t i = 1; i < n; ++i) {
          const uint64_t x = packed[i];
          size_t j = i;
          for (; j > 0 && x < packed[j - 1]; --j) packed[j] = packed[j - 1];
          packed[j] = x;
        }
      } else {
        std::sort(packed.begin(), packed.end());
      }
      for (const uint64_t p : packed)
        emit((p >> 48) << 32 | ((p >> kPositionBits) & 0x7fffffffu), row_weight[p & kPositionMask]);
    } else {
      long_row.resize(n);
      for (size_t k = 0; k < n; ++k) {
        const EdgeIdx i = b + static_cast<EdgeIdx>(k);
        long_row[k] = Entry{key_at(i), weight[i]};
      }
      std::stable_sort(long_row.begin(), long_row.end(),
                       [](const Entry& x, const Entry& y) { return x.key < y.key; });
      for (const Entry& x : long_row) emit(x.key, x.weight);
    }
  }
  row_ptr[num_nodes] = out;
  col.Shrink(static_cast<size_t>(out));  // merged duplicates: the tail pages are unmapped
  rel.Shrink(static_cast<size_t>(out));
  weight.Shrink(static_cast<size_t>(out));

  if (stats) {
    stats->edges_added = static_cast<int64_t>(m);
    stats->duplicate_edges_merged = merged;
  }
  relations_.clear();
  weight_values_.clear();
  weight_slots_.fill(WeightSlot{});
  last_weight_code_ = kNoWeightCode;
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
