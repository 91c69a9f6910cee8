#include "online/fm_session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/hash.h"
#include "graph/graph_builder.h"
#include "graph/graph_io.h"
#include "online/fm_catalog.h"
#include "online/fm_protocol.h"
#include "online/fm_replay.h"
#include "online/fm_search.h"
#include "recall/run_format.h"
#include "tests/recall/run_fixture.h"
#include "tests/test_util.h"

namespace melograph {
namespace {

// Five songs in the plane (dim 2), three artists:
//
//        s2 (0,1) a1
//        |   s4 (0.6,0.8) a0
//        |  /
//  s3 ---+----- s0 (1,0) a0      s3 = (-1,0) a2, s1 = (0.8,-0.6) a0... see below
//
// s0 = (1, 0) a0, s1 = (0.8, -0.6) a1, s2 = (0, 1) a1, s3 = (-1, 0) a2, s4 = (0.6, 0.8) a0;
// popularity s2 > s0 > s1 > s3 > s4.
FmCatalog TinyCatalog() {
  return FmCatalog(2, {1, 0, 0.8f, -0.6f, 0, 1, -1, 0, 0.6f, 0.8f}, {{0}, {1}, {1}, {2}, {0}}, 3,
                   {4, 3, 5, 2, 1}, {"s0", "s1", "s2", "s3", "s4"});
}

std::vector<int32_t> Songs(const std::vector<FmHit>& hits) {
  std::vector<int32_t> out;
  for (const FmHit& h : hits) out.push_back(h.song);
  return out;
}

std::vector<int32_t> Top(const FmSearcher& searcher, FmSession& session, int k) {
  std::vector<FmHit> hits;
  searcher.Search(session.Query(), k, session.exclusion_mask(), session.excluded_count(),
                  static_cast<int64_t>(session.played().size()), hits);
  return Songs(hits);
}

FmSearchOptions Exact() {
  FmSearchOptions o;
  o.kind = FmIndexKind::kExact;
  return o;
}

TEST(FmSession, positive_feedback_pulls_by_weight) {
  const FmCatalog catalog = TinyCatalog();
  FmSession session(&catalog, FmParams{});
  session.Reset({});
  session.Observe(0, FmFeedback::kLike);  // s = 2 * (1, 0) (decay applies to the zero start)
  EXPECT_FLOAT_EQ(session.short_term()[0], 2.0f);
  EXPECT_FLOAT_EQ(session.short_term()[1], 0.0f);
  session.Reset({});
  session.Observe(0, FmFeedback::kFullPlay);
  EXPECT_FLOAT_EQ(session.short_term()[0], 1.0f);
  session.Reset({});
  session.Observe(0, FmFeedback::kCollect);
  EXPECT_FLOAT_EQ(session.short_term()[0], 2.5f);
  // Cold user: the query is the unit short-term vector.
  const auto q = session.Query();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_FLOAT_EQ(q[0], 1.0f);
  EXPECT_FLOAT_EQ(q[1], 0.0f);
}

TEST(FmSession, skip_and_dislike_push_away) {
  const FmCatalog catalog = TinyCatalog();
  const FmSearcher searcher(&catalog, Exact());
  FmSession session(&catalog, FmParams{});
  session.Reset({});
  session.Observe(0, FmFeedback::kSkip);  // s = -0.5 * (1, 0): the query points at s3
  EXPECT_FLOAT_EQ(session.short_term()[0], -0.5f);
  EXPECT_EQ(Top(searcher, session, 1), std::vector<int32_t>({3}));
  session.Reset({});
  session.Observe(2, FmFeedback::kDislike);  // s = -1.5 * (0, 1)
  EXPECT_FLOAT_EQ(session.short_term()[1], -1.5f);
}

TEST(FmSession, recency_decay_weights_later_events_more) {
  const FmCatalog catalog = TinyCatalog();
  FmParams params;
  params.decay = 0.5f;
  FmSession session(&catalog, params);
  session.Reset({});
  session.Observe(0, FmFeedback::kFullPlay);  // (1, 0)
  session.Observe(2, FmFeedback::kFullPlay);  // 0.5 * (1, 0) + (0, 1)
  EXPECT_FLOAT_EQ(session.short_term()[0], 0.5f);
  EXPECT_FLOAT_EQ(session.short_term()[1], 1.0f);
  session.Observe(4, FmFeedback::kLike);  // 0.5 * (0.5, 1) + 2 * (0.6, 0.8)
  EXPECT_FLOAT_EQ(session.short_term()[0], 0.25f + 1.2f);
  EXPECT_FLOAT_EQ(session.short_term()[1], 0.5f + 1.6f);
}

TEST(FmSession, blends_long_term_and_short_term) {
  const FmCatalog catalog = TinyCatalog();
  FmParams params;
  params.short_term_weight = 0.25f;
  FmSession session(&catalog, params);
  const std::vector<float> user = {0, 3};  // normalised to (0, 1)
  session.Reset(user);
  auto q = session.Query();  // no event yet: the static vector
  EXPECT_FLOAT_EQ(q[0], 0.0f);
  EXPECT_FLOAT_EQ(q[1], 1.0f);
  session.Observe(0, FmFeedback::kLike);
  q = session.Query();  // 0.75 * (0, 1) + 0.25 * (1, 0)
  EXPECT_FLOAT_EQ(q[0], 0.25f);
  EXPECT_FLOAT_EQ(q[1], 0.75f);
}

TEST(FmSession, never_repeats_a_song_of_the_session) {
  const FmCatalog catalog = TinyCatalog();
  const FmSearcher searcher(&catalog, Exact());
  FmParams params;
  params.decay = 0.8f;
  FmSession session(&catalog, params);
  session.Reset({});
  session.Observe(0, FmFeedback::kCollect);  // query (1, 0): s0 itself would score best
  EXPECT_EQ(Top(searcher, session, 2), std::vector<int32_t>({1, 4}));
  session.Observe(1, FmFeedback::kSkip);
  session.Observe(0, FmFeedback::kLike);  // a second event on s0 does not play it twice
  EXPECT_EQ(session.played().size(), 2u);
  EXPECT_EQ(Top(searcher, session, 5), std::vector<int32_t>({4, 2, 3}));
}

TEST(FmSession, excludes_songs_of_disliked_artists) {
  const FmCatalog catalog = TinyCatalog();
  const FmSearcher searcher(&catalog, Exact());
  FmSession session(&catalog, FmParams{});
  session.Reset(std::vector<float>{1, 0});
  session.Observe(4, FmFeedback::kDislike);  // artist a0: s0, s4 (and s4 itself) excluded
  EXPECT_TRUE(session.excluded(0));
  EXPECT_TRUE(session.excluded(4));
  EXPECT_FALSE(session.excluded(1));
  const auto top = Top(searcher, session, 5);
  EXPECT_EQ(top.size(), 3u);
  for (int32_t s : top) EXPECT_TRUE(s == 1 || s == 2 || s == 3) << s;
  // A skip excludes only the song itself.
  session.Reset({});
  session.Observe(1, FmFeedback::kSkip);
  EXPECT_FALSE(session.excluded(2));
}

TEST(FmSession, cold_user_without_events_gets_popular_songs) {
  const FmCatalog catalog = TinyCatalog();
  const FmSearcher searcher(&catalog, Exact());
  FmSession session(&catalog, FmParams{});
  session.Reset({});
  EXPECT_TRUE(session.Query().empty());
  EXPECT_EQ(Top(searcher, session, 3), std::vector<int32_t>({2, 0, 1}));
}

TEST(FmSession, rejects_bad_parameters) {
  const FmCatalog catalog = TinyCatalog();
  FmParams p;
  p.decay = 0;
  EXPECT_THROW(FmSession(&catalog, p), UsageError);
  p = FmParams{};
  p.push_skip = 0.5f;
  EXPECT_THROW(FmSession(&catalog, p), UsageError);
  FmFeedback f;
  EXPECT_TRUE(ParseFmFeedback("collect", &f));
  EXPECT_EQ(f, FmFeedback::kCollect);
  EXPECT_FALSE(ParseFmFeedback("love", &f));
}

// A random catalog: exact search equals a brute-force reference; HNSW is deterministic (two
// builds, same answers) and, at this size, finds the exact top 10.
TEST(FmSearcher, exact_matches_reference_and_hnsw_is_deterministic) {
  const int dim = 8, n = 600;
  std::vector<float> vectors(static_cast<size_t>(n * dim));
  Rng rng(HashCombine(7, 1));
  for (float& x : vectors) x = static_cast<float>(rng.Normal());
  std::vector<std::vector<int32_t>> artists(static_cast<size_t>(n));
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    artists[static_cast<size_t>(i)] = {i % 50};
    ids.push_back("s" + std::to_string(i));
  }
  const FmCatalog catalog(dim, vectors, artists, 50, {}, ids);
  const FmSearcher exact(&catalog, Exact());
  FmSearchOptions ho;
  ho.seed = 3;
  const FmSearcher hnsw1(&catalog, ho), hnsw2(&catalog, ho);
  FmSession a(&catalog, FmParams{}), b(&catalog, FmParams{});
  a.Reset({});
  b.Reset({});
  for (int e = 0; e < 20; ++e) {
    const int32_t song = static_cast<int32_t>((e * 37) % n);
    const FmFeedback f = e % 5 == 4 ? FmFeedback::kDislike : (e % 3 ? FmFeedback::kFullPlay : FmFeedback::kSkip);
    a.Observe(song, f);
    b.Observe(song, f);
    const auto q = a.Query();
    // Brute force: float sums in dimension order, ties by index.
    std::vector<std::pair<float, int32_t>> all;
    for (int32_t s = 0; s < n; ++s) {
      if (a.excluded(s)) continue;
      float score = 0;
      for (int j = 0; j < dim; ++j) score += q[static_cast<size_t>(j)] * catalog.vector(s)[j];
      all.emplace_back(-score, s);
    }
    std::sort(all.begin(), all.end());
    std::vector<int32_t> expected;
    for (size_t i = 0; i < 10; ++i) expected.push_back(all[i].second);
    EXPECT_EQ(Top(exact, a, 10), expected) << "event " << e;
    const auto h1 = Top(hnsw1, a, 10), h2 = Top(hnsw2, b, 10);
    EXPECT_EQ(h1, h2) << "event " << e;
    EXPECT_EQ(h1, expected) << "event " << e;
  }
}

TEST(FmProtocol, parses_events_and_actions) {
  FmRequest r;
  int64_t column = 0;
  std::string reason;
  ASSERT_TRUE(ParseFmRequest(R"({"user":"u12","song":"s40","feedback":"like"})", &r, &column, &reason)) << reason;
  EXPECT_EQ(r.user, "u12");
  EXPECT_EQ(r.song, "s40");
  EXPECT_EQ(r.feedback, "like");
  ASSERT_TRUE(ParseFmRequest(R"( { "user" : "n\u00e9", "action":"start", "new_user": true, "k": 3 } )", &r,
                             &column, &reason))
      << reason;
  EXPECT_EQ(r.user, "n\xc3\xa9");
  EXPECT_EQ(r.action, "start");
  EXPECT_TRUE(r.new_user);
  EXPECT_EQ(r.k, 3);
}

TEST(FmProtocol, reports_column_and_reason) {
  FmRequest r;
  int64_t column = 0;
  std::string reason;
  const auto fails = [&](const char* line, int64_t want_column, const char* want_reason) {
    EXPECT_FALSE(ParseFmRequest(line, &r, &column, &reason)) << line;
    EXPECT_EQ(column, want_column) << line;
    EXPECT_NE(reason.find(want_reason), std::string::npos) << line << " -> " << reason;
  };
  fails(R"({"user":"u1","song":"s1"})", 1, "missing \"feedback\"");
  fails(R"({"user":"u1","song":"s1","feedback":"like")", 43, "expected ',' or '}'");
  fails(R"({"user":"u1","sng":"s1"})", 14, "unknown key 'sng'");
  fails(R"({"user":"u1","action":"stop"})", 23, "unknown action 'stop'");
  fails(R"({"user":"u1","action":"start","k":0})", 35, "k must be in 1..1000");
  fails(R"(["u1"])", 1, "expected '{'");
  fails(R"({"user":"u1","action":"start"} x)", 32, "text after the JSON object");
}

// Replay on the run fixture graph plus a cold user c (no listened edge). Vectors (dim 2):
//   songs p (1,0) q (0.9,0.3) r (0,1) s (0.2,0.9); users a (1,0.1), b (0,1), c (1,1).
std::vector<float> ReplayVectors(const Graph& g, NodeId v) {
  static const std::map<std::string, std::vector<float>> rows = {
      {"song:p", {1, 0}},   {"song:q", {0.9f, 0.3f}}, {"song:r", {0, 1}}, {"song:s", {0.2f, 0.9f}},
      {"user:a", {1, 0.1f}}, {"user:b", {0, 1}},        {"user:c", {1, 1}}};
  const auto it = rows.find(g.Key(v));
  return it == rows.end() ? std::vector<float>{0.5f, -0.5f} : it->second;
}

struct ReplayFixture {
  testing::TempDir dir;
  Graph graph;
  std::string run_dir;
  ReplayFixture() {
    graph = MakeGraph({{"user:a", "listened", "song:p"},
                       {"user:a", "listened", "song:q"},
                       {"user:b", "listened", "song:q"},
                       {"user:b", "listened", "song:r"},
                       {"user:b", "listened", "song:s"},
                       {"user:c", "has_age", "age:18-24"},
                       {"song:p", "by_artist", "artist:x"},
                       {"song:q", "by_artist", "artist:x"},
                       {"song:r", "by_artist", "artist:y"},
                       {"song:s", "by_artist", "artist:y"}});
    run_dir = dir.File("run");
    testing::FixtureRunOptions o;
    o.dim = 2;
    o.vectors = [this](NodeId v, int) { return ReplayVectors(graph, v); };
    testing::WriteFixtureRun(run_dir, graph, o);
  }
};

TEST(FmReplay, scores_fm_against_static_vector) {
  ReplayFixture f;
  FmParams params;
  params.short_term_weight = 0.5f;
  params.decay = 0.8f;
  const FmModel model = LoadFmModel(f.graph, "", f.run_dir);
  EXPECT_TRUE(model.users.warm[static_cast<size_t>(*model.FindUser("a"))]);
  EXPECT_FALSE(model.users.warm[static_cast<size_t>(*model.FindUser("user:c"))]);
  const FmSearcher searcher(&model.catalog, Exact());
  // a#0: like r, then s (scored). FM query 0.5 a^ + 0.5 r^ ranks q, s (hit); static ranks p, q (miss).
  //      then a repeat of r (not scored) and a skipped p (not scored).
  // c#0 (cold): p, then q (scored). FM query p^ ranks q, s (hit); popularity q, r (hit).
  const std::string file = f.dir.File("sessions.tsv");
  testing::WriteFile(file,
                     "# session_id\tuser_id\tscene\tsong_id\tfeedback\ttimestamp\n"
                     "a#0\tu:a\tfm\tr\tfull_play\t10\n"
                     "a#0\tu:a\tfm\tr\tlike\t10\n"
                     "a#0\tu:a\tfm\ts\tfull_play\t20\n"
                     "a#0\tu:a\tfm\tr\tfull_play\t30\n"
                     "a#0\tu:a\tfm\tp\tskip\t40\n"
                     "c#0\tc\tfm\tp\tfull_play\t10\n"
                     "c#0\tc\tfm\tq\tcollect\t20\n");
  // "u:a" is not a user id: first the error, then the fixed file.
  FmReplayOptions options;
  options.k = 2;
  try {
    ReplayFmSessions(file, model, searcher, params, options);
    ADD_FAILURE() << "unknown user accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2);
    EXPECT_EQ(e.column(), 5);
    EXPECT_NE(e.reason().find("unknown user 'u:a'"), std::string::npos) << e.what();
  }
  std::string text = testing::ReadFile(file);
  for (size_t at; (at = text.find("u:a")) != std::string::npos;) text.replace(at, 3, "a");
  testing::WriteFile(file, text);
  const FmReplayResult r = ReplayFmSessions(file, model, searcher, params, options);
  EXPECT_EQ(r.sessions, 2);
  EXPECT_EQ(r.events, 7);
  EXPECT_EQ(r.steps, 6);
  EXPECT_EQ(r.repeat_steps, 1);
  EXPECT_EQ(r.targets, 2);
  EXPECT_EQ(r.fm_hits, 2);
  EXPECT_EQ(r.static_hits, 1);
  EXPECT_EQ(r.cold_targets, 1);
  EXPECT_EQ(r.cold_fm_hits, 1);
  EXPECT_EQ(r.cold_static_hits, 1);
  const std::string out = FormatFmReplay(r);
  EXPECT_NE(out.find("hit_rate_fm@2: 1.0000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("hit_rate_static@2: 0.5000\n"), std::string::npos) << out;
  // a#0's target: FM hits, static misses; c#0's: both hit. McNemar z = (1 - 0) / sqrt(1).
  EXPECT_EQ(r.fm_only_hits, 1);
  EXPECT_EQ(r.static_only_hits, 0);
  EXPECT_NE(out.find("fm_only_hits@2: 1\nstatic_only_hits@2: 0\nmcnemar_z: 1.00\n"), std::string::npos) << out;
}

TEST(FmReplay, splits_targets_the_user_played_before) {
  ReplayFixture f;
  FmParams params;
  params.short_term_weight = 0.5f;
  params.decay = 0.8f;
  const FmModel model = LoadFmModel(f.graph, "", f.run_dir);
  // Familiar lists: the tails of each user's listened edges, ascending song indices.
  const auto songs_of = [&](const char* user) {
    std::vector<std::string> ids;
    for (int32_t s : model.users.familiar(*model.FindUser(user))) ids.push_back(model.catalog.song_id(s));
    return ids;
  };
  EXPECT_EQ(songs_of("a"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(songs_of("b"), (std::vector<std::string>{"q", "r", "s"}));
  EXPECT_TRUE(songs_of("c").empty());
  const FmSearcher searcher(&model.catalog, Exact());
  // a#0: r, then s (new to a: FM q, s hit; static p, q miss).
  // a#1: r, then q (a played q before: FM 0.5 a^ + 0.5 r^ ranks q 0.613, s 0.594 (hit); static
  //      ranks p, q (hit)).
  const std::string file = f.dir.File("sessions.tsv");
  testing::WriteFile(file,
                     "a#0\ta\tfm\tr\tfull_play\t10\n"
                     "a#0\ta\tfm\ts\tfull_play\t20\n"
                     "a#1\ta\tfm\tr\tfull_play\t100\n"
                     "a#1\ta\tfm\tq\tfull_play\t110\n");
  FmReplayOptions options;
  options.k = 2;
  const FmReplayResult r = ReplayFmSessions(file, model, searcher, params, options);
  EXPECT_EQ(r.targets, 2);
  EXPECT_EQ(r.fm_hits, 2);
  EXPECT_EQ(r.static_hits, 1);
  EXPECT_EQ(r.familiar_targets, 1);
  EXPECT_EQ(r.familiar_fm_hits, 1);
  EXPECT_EQ(r.familiar_static_hits, 1);
  const std::string out = FormatFmReplay(r);
  EXPECT_NE(out.find("familiar_targets: 1\nfamiliar_hit_rate_fm@2: 1.0000\nfamiliar_hit_rate_static@2: 1.0000\n"),
            std::string::npos)
      << out;
}

TEST(FmReplay, bad_lines_fail_with_position_or_are_counted) {
  ReplayFixture f;
  const FmModel model = LoadFmModel(f.graph, "", f.run_dir);
  const FmSearcher searcher(&model.catalog, Exact());
  const std::string file = f.dir.File("sessions.tsv");
  testing::WriteFile(file,
                     "a#0\ta\tfm\tp\tfull_play\t10\n"
                     "a#0\ta\tfm\tzz\tfull_play\t11\n"
                     "a#0\ta\tfm\tq\tlove\t12\n"
                     "a#0\ta\tfm\tq\tlike\n"
                     "a#0\ta\tfm\tq\tlike\tnoon\n");
  FmReplayOptions options;
  try {
    ReplayFmSessions(file, model, searcher, FmParams{}, options);
    ADD_FAILURE() << "unknown song accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).find(file + ":2:10: unknown song 'zz'"), 0u) << e.what();
  }
  options.max_bad_lines = 4;
  const FmReplayResult r = ReplayFmSessions(file, model, searcher, FmParams{}, options);
  EXPECT_EQ(r.bad_lines_skipped, 4);
  EXPECT_EQ(r.events, 1);
  EXPECT_NE(r.bad_lines_summary.find("unknown feedback 'love'"), std::string::npos) << r.bad_lines_summary;
}

TEST(FmCli, interactive_and_replay) {
  ReplayFixture f;
  // The CLI needs a graph directory: save the fixture graph through build-graph.
  testing::WriteFile(f.dir.File("t.tsv"),
                     "user:a\tlistened\tsong:p\nuser:a\tlistened\tsong:q\nuser:b\tlistened\tsong:q\n"
                     "user:b\tlistened\tsong:r\nuser:b\tlistened\tsong:s\nuser:c\thas_age\tage:18-24\n"
                     "song:p\tby_artist\tartist:x\nsong:q\tby_artist\tartist:x\nsong:r\tby_artist\tartist:y\n"
                     "song:s\tby_artist\tartist:y\n");
  auto r = testing::RunMelograph("build-graph --triples " + f.dir.File("t.tsv") + " --out " + f.dir.File("g"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Graph g = LoadGraph(f.dir.File("g"));
  testing::FixtureRunOptions o;
  o.dim = 2;
  o.graph_dir = f.dir.File("g");
  o.vectors = [&g](NodeId v, int) { return ReplayVectors(g, v); };
  testing::WriteFixtureRun(f.dir.File("run2"), g, o);
  const std::string base = "fm --run " + f.dir.File("run2") + " --graph " + f.dir.File("g") + " --index exact --k 2";
  testing::WriteFile(f.dir.File("in.jsonl"),
                     "{\"user\":\"a\",\"song\":\"r\",\"feedback\":\"like\"}\n"
                     "{\"user\":\"new\",\"action\":\"start\",\"new_user\":true}\n"
                     "{\"user\":\"a\",\"song\":\"q\",\"feedback\":\"dislike\"}\n");
  r = testing::RunMelograph(base + " < " + f.dir.File("in.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("{\"user\":\"a\",\"session_events\":1,\"cold\":false,\"recommendations\":[{\"song\":\"q\","),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("{\"user\":\"new\",\"session_events\":0,\"cold\":true,\"recommendations\":[{\"song\":\"q\","
                          "\"score\":0},{\"song\":\"p\""),
            std::string::npos)
      << r.output;
  // Disliking q (artist x) excludes p as well: only s is left.
  EXPECT_NE(r.output.find("{\"user\":\"a\",\"session_events\":2,\"cold\":false,\"recommendations\":[{\"song\":\"s\","),
            std::string::npos)
      << r.output;
  testing::WriteFile(f.dir.File("bad.jsonl"), "{\"user\":\"a\",\"song\":\"r\",\"feedback\":\"like\"}\n{\"user\":\"zed\",\"song\":\"r\",\"feedback\":\"like\"}\n");
  r = testing::RunMelograph(base + " < " + f.dir.File("bad.jsonl"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("stdin:2:1: unknown user 'zed'"), std::string::npos) << r.output;
  r = testing::RunMelograph(base + " --max-bad-lines 1 < " + f.dir.File("bad.jsonl"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("{\"error\":\"stdin:2:1: unknown user 'zed'"), std::string::npos) << r.output;
  testing::WriteFile(f.dir.File("s.tsv"), "c#0\tc\tfm\tp\tfull_play\t10\nc#0\tc\tfm\tq\tcollect\t20\n");
  r = testing::RunMelograph(base + " --replay " + f.dir.File("s.tsv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("targets: 1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("hit_rate_fm@2: 1.0000\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("latency_p99_us: "), std::string::npos) << r.output;
}

}  // namespace
}  // namespace melograph
