// FaissIndex: flat inner-product search equals exact search, HNSW recall, determinism,
// serialisation, corrupt files; and exported .faiss files answer like exact search.
#include "recall/faiss_index.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error.h"
#include "common/hash.h"
#include "recall/exporter.h"
#include "recall/topk_search.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

using testing::TempDir;

struct Data {
  int64_t rows;
  int dim;
  std::vector<float> values;
  std::vector<int64_t> ids;
};

Data RandomData(int64_t rows, int dim, uint64_t seed) {
  Data d{rows, dim, {}, {}};
  Rng rng(seed);
  for (int64_t i = 0; i < rows * dim; ++i) d.values.push_back(static_cast<float>(rng.Normal()));
  for (int64_t i = 0; i < rows; ++i) d.ids.push_back(1000 + 3 * i);
  return d;
}

std::vector<int64_t> Ids(const std::vector<SearchHit>& hits) {
  std::vector<int64_t> ids;
  for (const SearchHit& h : hits) ids.push_back(h.id);
  return ids;
}

std::vector<SearchHit> SearchOne(const FaissIndex& index, const float* query, int k) {
  std::vector<float> scores(static_cast<size_t>(k));
  std::vector<int64_t> labels(static_cast<size_t>(k));
  index.Search(1, query, k, scores.data(), labels.data());
  std::vector<SearchHit> hits;
  for (int i = 0; i < k; ++i) {
    if (labels[static_cast<size_t>(i)] >= 0)
      hits.push_back({labels[static_cast<size_t>(i)], scores[static_cast<size_t>(i)]});
  }
  return hits;
}

TEST(FaissIndex, flat_search_returns_exact_top_k) {
  const Data d = RandomData(300, 8, 1);
  FaissIndex index(8, {});
  index.Add(d.rows, d.values.data(), d.ids.data());
  EXPECT_EQ(index.size(), 300);
  EXPECT_EQ(index.Description(), "IDMap,Flat(IP)");
  const Data queries = RandomData(10, 8, 2);
  for (int q = 0; q < 10; ++q) {
    const float* query = queries.values.data() + q * 8;
    const auto exact = ExactTopK(d.values.data(), d.rows, d.dim, d.ids, query, 10);
    const auto flat = SearchOne(index, query, 10);
    ASSERT_EQ(Ids(flat), Ids(exact)) << "query " << q;
    for (size_t i = 0; i < flat.size(); ++i) EXPECT_NEAR(flat[i].score, exact[i].score, 1e-4);
  }
}

TEST(FaissIndex, short_index_pads_with_minus_one) {
  const Data d = RandomData(3, 4, 5);
  FaissIndex index(4, {});
  index.Add(d.rows, d.values.data(), d.ids.data());
  std::vector<float> scores(5);
  std::vector<int64_t> labels(5);
  index.Search(1, d.values.data(), 5, scores.data(), labels.data());
  EXPECT_EQ(labels[3], -1);
  EXPECT_EQ(labels[4], -1);
  EXPECT_TRUE(std::isinf(scores[4]) && scores[4] < 0);
}

TEST(FaissIndex, hnsw_recall_is_high_and_build_is_deterministic) {
  const Data d = RandomData(1000, 16, 3);
  FaissIndexOptions o;
  o.kind = FaissIndexKind::kHnswIP;
  o.hnsw_m = 16;
  o.hnsw_ef_search = 64;
  o.seed = 9;
  FaissIndex a(16, o), b(16, o);
  a.Add(d.rows, d.values.data(), d.ids.data());
  b.Add(d.rows, d.values.data(), d.ids.data());
  EXPECT_EQ(a.Description(), "IDMap,HNSW16,Flat(IP)");
  EXPECT_EQ(a.Serialize(), b.Serialize());
  const Data queries = RandomData(20, 16, 4);
  double recall = 0;
  for (int q = 0; q < 20; ++q) {
    const float* query = queries.values.data() + q * 16;
    recall += RecallAgainst(ExactTopK(d.values.data(), d.rows, d.dim, d.ids, query, 10),
                            SearchOne(a, query, 10));
  }
  EXPECT_GE(recall / 20, 0.9);
}

TEST(FaissIndex, serialize_round_trip_answers_the_same) {
  const Data d = RandomData(200, 8, 6);
  FaissIndexOptions o;
  o.kind = FaissIndexKind::kHnswIP;
  o.hnsw_m = 8;
  FaissIndex index(8, o);
  index.Add(d.rows, d.values.data(), d.ids.data());
  TempDir tmp;
  testing::WriteFile(tmp.File("i.faiss"), index.Serialize());
  const FaissIndex loaded = FaissIndex::Load(tmp.File("i.faiss"));
  EXPECT_EQ(loaded.kind(), FaissIndexKind::kHnswIP);
  EXPECT_EQ(loaded.size(), 200);
  EXPECT_EQ(Ids(SearchOne(loaded, d.values.data(), 5)), Ids(SearchOne(index, d.values.data(), 5)));
}

TEST(FaissIndex, corrupt_index_file_names_the_file) {
  TempDir tmp;
  testing::WriteFile(tmp.File("bad.faiss"), "PK\x03\x04 this is not an index");
  try {
    FaissIndex::Load(tmp.File("bad.faiss"));
    ADD_FAILURE();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(tmp.File("bad.faiss") + ": not a readable faiss index"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(FaissIndex::Load(tmp.File("missing.faiss")), IoError);
}

// Fixture run with dim 8: the exported per-shard and merged flat indexes return the exact top-K
// over that shard's / all rows, with graph NodeIds as labels.
TEST(FaissIndex, exported_indexes_match_exact_search) {
  TempDir tmp;
  const Graph graph = testing::FixtureGraph();
  testing::FixtureRunOptions ro;
  ro.dim = 8;
  testing::WriteFixtureRun(tmp.File("run"), graph, ro);
  ExportOptions o;
  o.out_dir = tmp.File("out");
  o.formats = {"faiss"};
  o.merge = true;
  ExportRun(RunReader(tmp.File("run")), graph, o);
  const EmbeddingMatrix songs = LoadEmbeddings(tmp.File("run"), graph, "song");
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < songs.rows; ++i) ids.push_back(songs.first_node + i);
  const FaissIndex merged = FaissIndex::Load(tmp.File("out/song.faiss"));
  const FaissIndex shard0 = FaissIndex::Load(tmp.File("out/song/shard-0.faiss"));
  for (NodeId user : {6, 7}) {
    const std::vector<float> query = testing::FixtureVector(user, 8);
    const auto exact = ExactTopK(songs.values.data(), songs.rows, 8, ids, query.data(), 3);
    EXPECT_EQ(Ids(SearchOne(merged, query.data(), 3)), Ids(exact)) << user;
    // Shard 0 holds songs 2 and 4.
    const auto exact0 = ExactTopK(songs.values.data(), songs.rows, 8, ids, query.data(), 2,
                                  std::vector<int64_t>{3, 5});
    EXPECT_EQ(Ids(SearchOne(shard0, query.data(), 2)), Ids(exact0)) << user;
  }
}

}  // namespace
}  // namespace melograph
