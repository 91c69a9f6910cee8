#include "online/fm_session.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace melograph {

namespace {
constexpr std::string_view kFeedbackNames[] = {"full_play", "like", "collect", "skip", "dislike"};

// v / |v| into out (zeros when |v| = 0).
void Normalise(std::span<const float> v, float* out) {
  double n = 0;
  for (float x : v) n += static_cast<double>(x) * x;
  const float inv = n > 0 ? static_cast<float>(1.0 / std::sqrt(n)) : 0.0f;
  for (size_t j = 0; j < v.size(); ++j) out[j] = v[j] * inv;
}
}  // namespace

bool ParseFmFeedback(std::string_view name, FmFeedback* feedback) {
  for (size_t i = 0; i < std::size(kFeedbackNames); ++i) {
    if (name == kFeedbackNames[i]) {
      *feedback = static_cast<FmFeedback>(i);
      return true;
    }
  }
  return false;
}

std::string_view FmFeedbackName(FmFeedback feedback) { return kFeedbackNames[static_cast<size_t>(feedback)]; }

float FmParams::weight(FmFeedback f) const {
  switch (f) {
    case FmFeedback::kFullPlay: return pull_full_play;
    case FmFeedback::kLike: return pull_like;
    case FmFeedback::kCollect: return pull_collect;
    case FmFeedback::kSkip: return push_skip;
    case FmFeedback::kDislike: return push_dislike;
  }
  return 0;
}

void ValidateFmParams(const FmParams& p) {
  if (!(p.decay > 0 && p.decay <= 1)) throw UsageError("fm: --decay must be in (0, 1]");
  if (!(p.short_term_weight >= 0 && p.short_term_weight <= 1))
    throw UsageError("fm: --short-term-weight must be in [0, 1]");
  if (!(p.pull_full_play > 0 && p.pull_like > 0 && p.pull_collect > 0))
    throw UsageError("fm: positive feedback weights must be > 0");
  if (!(p.push_skip <= 0 && p.push_dislike <= 0))
    throw UsageError("fm: skip / dislike weights must be <= 0");
}

FmSession::FmSession(const FmCatalog* catalog, FmParams params)
    : catalog_(catalog),
      params_(params),
      short_term_(static_cast<size_t>(catalog->dim()), 0.0f),
      query_(static_cast<size_t>(catalog->dim()), 0.0f),
      excluded_(static_cast<size_t>(catalog->songs()), 0) {
  ValidateFmParams(params_);
}

void FmSession::Reset(std::span<const float> long_term) {
  if (!long_term.empty() && long_term.size() != static_cast<size_t>(catalog_->dim()))
    throw UsageError("fm: the user vector's dimension differs from the song vectors'");
  long_term_.assign(long_term.size(), 0.0f);
  if (!long_term.empty()) Normalise(long_term, long_term_.data());
  std::fill(short_term_.begin(), short_term_.end(), 0.0f);
  for (int32_t s : excluded_list_) excluded_[static_cast<size_t>(s)] = 0;
  excluded_list_.clear();
  played_.clear();
  disliked_artists_.clear();
  events_ = 0;
}

void FmSession::Exclude(int32_t song) {
  uint8_t& x = excluded_[static_cast<size_t>(song)];
  if (x) return;
  x = 1;
  excluded_list_.push_back(song);
}

void FmSession::Observe(int32_t song, FmFeedback feedback) {
  ++events_;
  const float norm = catalog_->norm(song);
  const float w = params_.weight(feedback);
  const float step = norm > 0 ? w / norm : 0.0f;
  const float* v = catalog_->vector(song);
  for (size_t j = 0; j < short_term_.size(); ++j) short_term_[j] = params_.decay * short_term_[j] + step * v[j];
  if (!excluded_[static_cast<size_t>(song)]) played_.push_back(song);
  Exclude(song);
  if (feedback == FmFeedback::kDislike) {
    for (int32_t artist : catalog_->artists_of(song)) {
      if (std::find(disliked_artists_.begin(), disliked_artists_.end(), artist) != disliked_artists_.end()) continue;
      disliked_artists_.push_back(artist);
      for (int32_t s : catalog_->songs_of(artist)) Exclude(s);
    }
  }
}

std::span<const float> FmSession::Query() {
  double n = 0;
  for (float x : short_term_) n += static_cast<double>(x) * x;
  const bool has_short = n > 0;
  if (long_term_.empty() && !has_short) return {};
  const float a = long_term_.empty() ? 1.0f : (has_short ? params_.short_term_weight : 0.0f);
  const float inv = has_short ? static_cast<float>(1.0 / std::sqrt(n)) : 0.0f;
  for (size_t j = 0; j < query_.size(); ++j) {
    const float l = long_term_.empty() ? 0.0f : long_term_[j];
    query_[j] = (1.0f - a) * l + a * inv * short_term_[j];
  }
  return query_;
}

}  // namespace melograph
