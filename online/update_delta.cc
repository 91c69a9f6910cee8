// The graph delta of an incremental update (contract in online/update_delta.h).
#include "online/update_delta.h"

#include <unordered_set>

#include "kg_builder/behaviour_weights.h"
#include "kg_builder/catalog_reader.h"
#include "kg_builder/triple_io.h"
#include "kg_builder/triple_sink.h"
#include "online/update_events.h"

namespace melograph {
namespace {

// Keeps the catalog triples whose head is in `keep` (new nodes named by the events); a kept
// `created` triple adds its new playlist to `keep`, so the playlist's `contains` rows follow.
class NewNodeCatalogSink : public TripleSink {
 public:
  NewNodeCatalogSink(const Graph& old_graph, std::unordered_set<std::string> keep,
                     std::vector<DeltaTriple>* out)
      : old_graph_(old_graph), keep_(std::move(keep)), out_(out) {}
  int64_t kept() const { return kept_; }

 protected:
  void Write(std::string_view head, std::string_view relation, std::string_view tail,
             double weight, int64_t /*timestamp*/) override {
    if (!keep_.count(std::string(head))) return;
    out_->push_back({std::string(head), std::string(relation), std::string(tail),
                     static_cast<float>(weight), false});
    ++kept_;
    if (relation == "created" && !old_graph_.Find(tail)) keep_.insert(std::string(tail));
  }

 private:
  const Graph& old_graph_;
  std::unordered_set<std::string> keep_;
  std::vector<DeltaTriple>* out_;
  int64_t kept_ = 0;
};

}  // namespace

GraphDelta BuildGraphDelta(const Graph& old_graph, const DeltaOptions& options) {
  GraphDelta d;
  BadLineBudget budget(options.max_bad_lines);
  const BehaviourWeights weights(options.kg_config);
  const NewEvents events = ReadNewEvents(options.events_path, weights, &budget);
  d.events_read = events.events_read;
  d.pairs = static_cast<int64_t>(events.pairs.size());
  for (size_t u = 0; u < events.users.size(); ++u)
    d.event_users.push_back("user:" + std::string(events.users.Get(static_cast<int32_t>(u))));

  // Which event songs exist: in the old graph, or (with a catalog) in songs.tsv.
  std::vector<uint8_t> song_known(events.songs.size(), 1);
  if (!options.catalog_dir.empty()) {
    std::unordered_set<std::string> keep;
    for (const std::string& user : d.event_users)
      if (!old_graph.Find(user)) keep.insert(user);
    for (size_t s = 0; s < events.songs.size(); ++s) {
      const std::string key = "song:" + std::string(events.songs.Get(static_cast<int32_t>(s)));
      if (!old_graph.Find(key)) keep.insert(key);
    }
    NewNodeCatalogSink sink(old_graph, std::move(keep), &d.triples);
    const Catalog catalog = ReadCatalog(options.catalog_dir, &budget, sink);
    d.catalog_triples = sink.kept();
    for (size_t s = 0; s < events.songs.size(); ++s) {
      const std::string_view id = events.songs.Get(static_cast<int32_t>(s));
      song_known[s] = old_graph.Find("song:" + std::string(id)) || catalog.songs.Find(id) >= 0;
    }
  }

  // Behaviour edges, in pair order.
  std::vector<uint8_t> song_reported(events.songs.size(), 0);
  for (const NewEventPair& p : events.pairs) {
    const std::string_view song_id = events.songs.Get(p.song);
    if (!song_known[static_cast<size_t>(p.song)]) {
      ++d.unknown_song_events;
      if (!song_reported[static_cast<size_t>(p.song)] && d.first_unknown_songs.size() < 5)
        d.first_unknown_songs.emplace_back(song_id);
      song_reported[static_cast<size_t>(p.song)] = 1;
      continue;
    }
    const std::string user = d.event_users[static_cast<size_t>(p.user)];
    const std::string song = "song:" + std::string(song_id);
    const auto old_user = old_graph.Find(user);
    const auto old_song = old_graph.Find(song);
    auto old_weight = [&](const char* relation) -> std::optional<float> {
      if (!old_user || !old_song) return std::nullopt;
      return FindEdgeWeight(old_graph, *old_user, relation, *old_song);
    };
    if (p.positive > 0) {
      const auto old = old_weight("listened");
      const double w = MergedBehaviourWeight(options.kg_config, old ? *old : 0.0, p.positive);
      d.triples.push_back({user, "listened", song, static_cast<float>(w), old.has_value()});
      ++(old ? d.behaviour_reweighted : d.behaviour_new_edges);
    }
    if (p.negative < 0) {
      const auto old = old_weight("rejected");
      const double w = -MergedBehaviourWeight(options.kg_config, old ? -*old : 0.0, -p.negative);
      d.triples.push_back({user, "rejected", song, static_cast<float>(w), old.has_value()});
      ++(old ? d.behaviour_reweighted : d.behaviour_new_edges);
    }
  }

  if (!options.triples_path.empty()) {
    TripleReader reader(options.triples_path, &budget);
    TripleRecord t;
    while (reader.Next(t)) {
      d.triples.push_back({std::string(t.head), std::string(t.relation), std::string(t.tail),
                           t.weight, false});
      ++d.extra_triples;
    }
  }
  d.bad_lines_skipped = budget.count();
  return d;
}

}  // namespace melograph
