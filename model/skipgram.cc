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

// Sets out->rows to the sorted distinct ids and zeroes the values.
void PrepareRows(std::span<const int64_t> a, std::span<const int64_t> b, int64_t dim,
                 SparseRowGrad* out) {
  out->dim = dim;
  out->rows.assign(a.begin(), a.end());
  out->rows.insert(out->rows.end(), b.begin(), b.end());
  std::sort(out->rows.begin(), out->rows.end());
  out->rows.erase(std::unique(out->rows.begin(), out->rows.end()), out->rows.end());
  out->values.assign(out->rows.size() * static_cast<size_t>(dim), 0.0f);
}

// slot[row] = index of row in g->rows, for O(1) lookups in the pair loop.
void MapSlots(const SparseRowGrad& g, int64_t table_rows, std::vector<int32_t>* slot) {
  if (static_cast<int64_t>(slot->size()) != table_rows) slot->assign(table_rows, -1);
  for (size_t i = 0; i < g.rows.size(); ++i) (*slot)[g.rows[i]] = static_cast<int32_t>(i);
}
void ClearSlots(const SparseRowGrad& g, std::vector<int32_t>* slot) {
  for (int64_t r : g.rows) (*slot)[r] = -1;
}

}  // namespace

void SkipGramStep(const EmbeddingTable& center, const EmbeddingTable& context,
                  const SkipGramBatch& batch, SkipGramGradients* out) {
  CheckBatch(center, context, batch);
  const int64_t dim = center.dim;
  const int64_t pairs = static_cast<int64_t>(batch.centers.size());
  PrepareRows(batch.centers, {}, dim, &out->center);
  PrepareRows(batch.contexts, batch.negatives, dim, &out->context);
  out->loss = 0;
  if (pairs == 0) return;
  MapSlots(out->center, center.rows, &out->center_slot);
  MapSlots(out->context, context.rows, &out->context_slot);
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
    float* ge = out->center.row(out->center_slot[batch.centers[i]]);
    for (int j = 0; j <= k; ++j) {
      const int64_t row = j == 0 ? batch.contexts[i] : batch.negatives[i * k + j - 1];
      const float* f = context.row(row);
      const float s = Dot(e, f, dim);
      // One exp and one log1p give both sigmoid(s) and log sigmoid(+-s).
      const float ex = std::exp(-std::abs(s));
      const float sig = s >= 0 ? 1.0f / (1.0f + ex) : ex / (1.0f + ex);
      const float log1p_ex = std::log1p(ex);
      // d/ds of -log sigmoid(s) is sigmoid(s) - 1; of -log sigmoid(-s) is sigmoid(s).
      const float gs = (j == 0 ? sig - 1.0f : sig) * inv;
      loss -= j == 0 ? std::min(s, 0.0f) - log1p_ex : std::min(-s, 0.0f) - log1p_ex;
      float* gf = out->context.row(out->context_slot[row]);
      for (int64_t d = 0; d < dim; ++d) {
        ge[d] += gs * f[d];
        gf[d] += gs * e[d];
      }
    }
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
