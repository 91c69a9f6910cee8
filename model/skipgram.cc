#include "model/skipgram.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "model/ops.h"

namespace melograph {
namespace {

void CheckBatch(const EmbeddingTable& center, const EmbeddingTable& context,
                const SkipGramBatch& b) {
  if (b.centers.size() != b.contexts.size() || b.negatives_per_pair < 0 ||
      b.negatives.size() != b.centers.size() * static_cast<size_t>(b.negatives_per_pair))
    throw UsageError("skip-gram batch: centers, contexts and negatives differ in size");
  if (center.dim != context.dim) throw UsageError("skip-gram: tables differ in dimension");
  for (int64_t r : b.centers)
    if (r < 0 || r >= center.rows) throw UsageError("skip-gram: center row out of range");
  for (auto ids : {b.contexts, b.negatives})
    for (int64_t r : ids)
      if (r < 0 || r >= context.rows) throw UsageError("skip-gram: context row out of range");
}


// Every cache line of a row (a 64-float row spans 4 lines; prefetching one line is not enough).
inline void PrefetchRow(const float* row, int64_t dim) {
  for (int64_t d = 0; d < dim; d += 16) __builtin_prefetch(row + d);
}

// <a, b> with 8 independent partial sums (vectorisable without reassociating a single chain);
// the summation order is fixed, so results stay deterministic.
inline float Dot(const float* a, const float* b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t d = 0;
  for (; d + 8 <= n; d += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[d + l] * b[d + l];
  float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; d < n; ++d) s += a[d] * b[d];
  return s;
}

// Sets out->rows to the sorted distinct ids of a and b and sizes out->values WITHOUT zeroing it
// (the pair loop writes each row on first touch, see `fresh`). Small tables: a bitmap over the
// table rows, scanned in order (O(n + rows / 64)); large tables: sort + unique (O(n log n)).
void PrepareRows(std::span<const int64_t> a, std::span<const int64_t> b, int64_t dim, int64_t table_rows,
                 std::vector<uint64_t>* bits, SparseRowGrad* out) {
  out->dim = dim;
  out->rows.clear();
  const size_t n = a.size() + b.size();
  if (table_rows <= static_cast<int64_t>(n) * 256) {
    bits->assign(static_cast<size_t>((table_rows + 63) / 64), 0);
    for (auto ids : {a, b})
      for (int64_t r : ids) (*bits)[static_cast<size_t>(r >> 6)] |= uint64_t{1} << (r & 63);
    for (size_t w = 0; w < bits->size(); ++w)
      for (uint64_t x = (*bits)[w]; x != 0; x &= x - 1)
        out->rows.push_back(static_cast<int64_t>(w * 64) + __builtin_ctzll(x));
  } else {
    out->rows.assign(a.begin(), a.end());
    out->rows.insert(out->rows.end(), b.begin(), b.end());
    std::sort(out->rows.begin(), out->rows.end());
    out->rows.erase(std::unique(out->rows.begin(), out->rows.end()), out->rows.end());
  }
  out->values.resize(out->rows.size() * static_cast<size_t>(dim));
}

// slot[row] = index of row in g->rows, for O(1) lookups in the pair loop.
void MapSlots(const SparseRowGrad& g, int64_t table_rows, std::vector<int32_t>* slot) {
  if (static_cast<int64_t>(slot->size()) != table_rows) slot->assign(table_rows, -1);
  for (size_t i = 0; i < g.rows.size(); ++i) (*slot)[g.rows[i]] = static_cast<int32_t>(i);
}
void ClearSlots(const SparseRowGrad& g, std::vector<int32_t>* slot) {
  for (int64_t r : g.rows) (*slot)[r] = -1;
}

// dst = x * src on the row's first touch in this step (fresh[slot] set), dst += x * src after.
inline void AddScaled(float* dst, float x, const float* src, int64_t dim, uint8_t& fresh) {
  if (fresh) {
    for (int64_t d = 0; d < dim; ++d) dst[d] = x * src[d];
    fresh = 0;
  } else {
    for (int64_t d = 0; d < dim; ++d) dst[d] += x * src[d];
  }
}

}  // namespace

void SkipGramStep(const EmbeddingTable& center, const EmbeddingTable& context,
                  const SkipGramBatch& batch, SkipGramGradients* out) {
  CheckBatch(center, context, batch);
  const int64_t dim = center.dim;
  const int64_t pairs = static_cast<int64_t>(batch.centers.size());
  PrepareRows(batch.centers, {}, dim, center.rows, &out->bits, &out->center);
  PrepareRows(batch.contexts, batch.negatives, dim, context.rows, &out->bits, &out->context);
  out->loss = 0;
  if (pairs == 0) return;
  MapSlots(out->center, center.rows, &out->center_slot);
  MapSlots(out->context, context.rows, &out->context_slot);
  out->center_fresh.assign(out->center.rows.size(), 1);
  out->context_fresh.assign(out->context.rows.size(), 1);
  out->pair_grad.resize(static_cast<size_t>(dim));
  float* acc = out->pair_grad.data();
  const float inv = 1.0f / static_cast<float>(pairs);
  const int k = batch.negatives_per_pair;
  double loss = 0;
  for (int64_t i = 0; i < pairs; ++i) {
    if (i + 2 < pairs) {  // rows two pairs ahead are independent random reads: start them now
      const int64_t p = i + 2;
      PrefetchRow(center.row(batch.centers[p]), dim);
      PrefetchRow(context.row(batch.contexts[p]), dim);
      for (int j = 0; j < k; ++j) PrefetchRow(context.row(batch.negatives[p * k + j]), dim);
      // ... and the gradient rows they will be added into.
      PrefetchRow(out->center.row(out->center_slot[batch.centers[p]]), dim);
      PrefetchRow(out->context.row(out->context_slot[batch.contexts[p]]), dim);
      for (int j = 0; j < k; ++j) PrefetchRow(out->context.row(out->context_slot[batch.negatives[p * k + j]]), dim);
    }
    const float* e = center.row(batch.centers[i]);
    // The center row's gradient over the pair's k + 1 scores, summed here and added once.
    std::fill(acc, acc + dim, 0.0f);
    // Probability of the pair's k + 1 labels (positive, then negatives): the loss is -log of it,
    // one log per pair. A factor below kTiny is taken out of the product as an exact log term.
    constexpr float kTiny = 1e-30f;
    double label_prob = 1.0;
    for (int j = 0; j <= k; ++j) {
      const int64_t row = j == 0 ? batch.contexts[i] : batch.negatives[i * k + j - 1];
      const float* f = context.row(row);
      const float s = Dot(e, f, dim);
      // One exp gives sigmoid(s) and sigmoid(-s): with ex = exp(-|s|) and q = 1 / (1 + ex), the
      // larger of the two is q and the smaller ex * q.
      const float ex = std::exp(-std::abs(s));
      const float q = 1.0f / (1.0f + ex);
      const float sig = s >= 0 ? q : ex * q;
      // d/ds of -log sigmoid(s) is sigmoid(s) - 1; of -log sigmoid(-s) is sigmoid(s).
      const float gs = (j == 0 ? sig - 1.0f : sig) * inv;
      const bool label_on_larger = (j == 0) == (s >= 0);
      const float p = label_on_larger ? q : ex * q;
      if (p >= kTiny) {
        label_prob *= p;
        if (label_prob < 1e-200) {  // many tiny factors: bank the log before the product underflows
          loss -= std::log(label_prob);
          label_prob = 1.0;
        }
      } else {  // -log sigmoid(-|s|) = |s| + log1p(exp(-|s|))
        loss += std::abs(static_cast<double>(s)) + std::log1p(static_cast<double>(ex));
      }
      for (int64_t d = 0; d < dim; ++d) acc[d] += gs * f[d];
      const int32_t slot = out->context_slot[row];
      AddScaled(out->context.row(slot), gs, e, dim, out->context_fresh[static_cast<size_t>(slot)]);
    }
    loss -= std::log(label_prob);
    const int32_t slot = out->center_slot[batch.centers[i]];
    AddScaled(out->center.row(slot), 1.0f, acc, dim, out->center_fresh[static_cast<size_t>(slot)]);
  }
  ClearSlots(out->center, &out->center_slot);
  ClearSlots(out->context, &out->context_slot);
  out->loss = loss / static_cast<double>(pairs);
}

Var SkipGramLossOnTape(Tape& t, const EmbeddingTable& center, const EmbeddingTable& context,
                       const SkipGramBatch& batch, int center_slot, int context_slot) {
  CheckBatch(center, context, batch);
  const int64_t pairs = static_cast<int64_t>(batch.centers.size());
  const int k = batch.negatives_per_pair;
  if (pairs == 0) throw UsageError("skip-gram: empty batch");
  Var e = GatherTable(t, center_slot, center.values.data(), center.rows, center.dim,
                      batch.centers);
  Var f = GatherTable(t, context_slot, context.values.data(), context.rows, context.dim,
                      batch.contexts);
  Var total = Sum(t, LogSigmoid(t, RowDot(t, e, f)));
  if (k > 0) {
    // Row i * k + j of the negatives pairs with center i.
    std::vector<int32_t> repeat(static_cast<size_t>(pairs * k));
    for (int64_t i = 0; i < pairs * k; ++i) repeat[i] = static_cast<int32_t>(i / k);
    Var n = GatherTable(t, context_slot, context.values.data(), context.rows, context.dim,
                        batch.negatives);
    Var neg_scores = Scale(t, RowDot(t, Gather(t, e, repeat), n), -1.0f);
    total = Add(t, total, Sum(t, LogSigmoid(t, neg_scores)));
  }
  return Scale(t, total, -1.0f / static_cast<float>(pairs));
}

}  // namespace melograph
