// ArrayRef<T>: a read-only flat array that either owns its storage (a std::vector or an
// AnonymousArray built in memory) or views a memory-mapped file. Copies share the storage.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "common/anonymous_array.h"

namespace melograph {

template <typename T>
class ArrayRef {
 public:
  ArrayRef() = default;
  explicit ArrayRef(std::vector<T> owned) {
    auto holder = std::make_shared<std::vector<T>>(std::move(owned));
    span_ = std::span<const T>(holder->data(), holder->size());
    keep_ = std::move(holder);
  }
  explicit ArrayRef(AnonymousArray<T> owned) {
    auto holder = std::make_shared<AnonymousArray<T>>(std::move(owned));
    span_ = std::span<const T>(holder->data(), holder->size());
    anonymous_ = holder.get();
    keep_ = std::move(holder);
  }
  ArrayRef(std::span<const T> view, std::shared_ptr<const void> keep)
      : span_(view), keep_(std::move(keep)) {}

  std::span<const T> span() const { return span_; }
  const T* data() const { return span_.data(); }
  size_t size() const { return span_.size(); }
  bool empty() const { return span_.empty(); }
  const T& operator[](size_t i) const { return span_[i]; }
  auto begin() const { return span_.begin(); }
  auto end() const { return span_.end(); }

  // The AnonymousArray this ArrayRef owns, when it is its only owner (no copy shares it), else
  // nullptr (a std::vector, a mapped file, or shared storage). Lets the last user of an array
  // built in memory discard the parts it is done with (AnonymousArray::Discard).
  AnonymousArray<T>* sole_anonymous() {
    return anonymous_ && keep_.use_count() == 1 ? anonymous_ : nullptr;
  }

 private:
  std::span<const T> span_;
  std::shared_ptr<const void> keep_;
  AnonymousArray<T>* anonymous_ = nullptr;  // keep_'s object when it is an AnonymousArray
};

}  // namespace melograph
