#include "sampler/metapath.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "graph/graph_builder.h"

namespace melograph {
namespace {

//   user:a -listened-> song:x -by_artist-> artist:p
//     |  friend
//   user:b -listened-> song:y -by_artist-> artist:p
Graph Tiny() {
  GraphBuildOptions opt;
  opt.symmetric_relations = {"friend"};
  return MakeGraph({{"user:a", "listened", "song:x"},
                    {"user:b", "listened", "song:y"},
                    {"song:x", "by_artist", "artist:p"},
                    {"song:y", "by_artist", "artist:p"},
                    {"user:a", "friend", "user:b"}},
                   opt);
}

RelationId Rel(const Graph& g, const std::string& name) { return g.FindRelations(name).at(0); }

std::string ErrorOf(const Graph& g, const std::string& text) {
  try {
    ParseMetapath(text, g);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Metapath, parses_a_cyclic_schema_into_relation_ids) {
  const Graph g = Tiny();
  const Metapath m =
      ParseMetapath("user -listened-> song -by_artist-> artist -rev_by_artist-> song -rev_listened-> user", g);
  ASSERT_EQ(m.hops(), 4);
  EXPECT_TRUE(m.cyclic);
  EXPECT_FALSE(m.unrestricted());
  EXPECT_EQ(m.relations, (std::vector<RelationId>{Rel(g, "listened"), Rel(g, "by_artist"), Rel(g, "rev_by_artist"),
                                                  Rel(g, "rev_listened")}));
  EXPECT_EQ(m.types, (std::vector<TypeId>{*g.FindType("user"), *g.FindType("song"), *g.FindType("artist"),
                                          *g.FindType("song"), *g.FindType("user")}));
  // Cyclic: hop 5 follows hop 1's relation again.
  EXPECT_EQ(m.RelationAt(4), Rel(g, "listened"));
  EXPECT_EQ(m.RelationAt(6), Rel(g, "rev_by_artist"));
  EXPECT_TRUE(m.CanContinue(100));
}

TEST(Metapath, inverse_suffix_is_an_alias_of_the_reverse_relation) {
  const Graph g = Tiny();
  const Metapath a = ParseMetapath("user-listened->song-by_artist->artist-by_artist^-1->song-listened^-1->user", g);
  const Metapath b =
      ParseMetapath("user -listened-> song -by_artist-> artist -rev_by_artist-> song -rev_listened-> user", g);
  EXPECT_EQ(a.relations, b.relations);
  EXPECT_EQ(a.types, b.types);
  // A symmetric relation is its own inverse.
  EXPECT_EQ(ParseMetapath("user -friend^-1-> user", g).relations, std::vector<RelationId>{Rel(g, "friend")});
  // rev_x^-1 is x.
  EXPECT_EQ(ErrorOf(g, "song -rev_listened^-1-> user"),
            "metapath 'song -rev_listened^-1-> user' column 7: hop 1: relation 'rev_listened' joins song -> user, "
            "not user -> song (inverted by ^-1)");
  EXPECT_EQ(ParseMetapath("user -rev_listened^-1-> song", g).relations, std::vector<RelationId>{Rel(g, "listened")});
}

TEST(Metapath, acyclic_schema_limits_hops_and_empty_text_is_unrestricted) {
  const Graph g = Tiny();
  const Metapath m = ParseMetapath("  user -listened-> song -by_artist-> artist ", g);
  EXPECT_FALSE(m.cyclic);
  EXPECT_TRUE(m.CanContinue(1));
  EXPECT_FALSE(m.CanContinue(2));
  const Metapath any = ParseMetapath("", g);
  EXPECT_TRUE(any.unrestricted());
  EXPECT_FALSE(any.RelationAt(3).has_value());
  EXPECT_TRUE(any.CanContinue(1000));
}

TEST(Metapath, rejects_bad_schemas_with_clear_messages) {
  const Graph g = Tiny();
  EXPECT_EQ(ErrorOf(g, "user -plays-> song"),
            "metapath 'user -plays-> song' column 7: hop 1: unknown relation 'plays' (known: by_artist, "
            "rev_by_artist, friend, listened, rev_listened)");
  EXPECT_EQ(ErrorOf(g, "user -listened-> artist"),
            "metapath 'user -listened-> artist' column 7: hop 1: relation 'listened' joins user -> song, not "
            "user -> artist");
  EXPECT_EQ(ErrorOf(g, "song -by_artist-> artist -by_artist-> song"),
            "metapath 'song -by_artist-> artist -by_artist-> song' column 27: hop 2: relation 'by_artist' joins "
            "song -> artist, not artist -> song");
  EXPECT_EQ(ErrorOf(g, "album -listened-> song"),
            "metapath 'album -listened-> song' column 1: unknown node type 'album' (known: artist, song, user)");
  EXPECT_EQ(ErrorOf(g, "user"), "metapath 'user' column 5: a schema needs at least one '-RELATION->' hop");
  EXPECT_EQ(ErrorOf(g, "user -listened song"), "metapath 'user -listened song' column 6: relation arrow without '->'");
  EXPECT_EQ(ErrorOf(g, "user -listened->"), "metapath 'user -listened->' column 17: expected a node type");
  EXPECT_EQ(ErrorOf(g, "user song"), "metapath 'user song' column 6: expected '-RELATION->' after a node type");
  EXPECT_EQ(ErrorOf(g, "user --> song"), "metapath 'user --> song' column 7: empty relation name");
}

TEST(Metapath, manifest_tables_round_trip) {
  const Graph g = Tiny();
  proto::PartitionManifest man;
  for (const NodeType& t : g.node_types()) {
    auto* p = man.add_node_types();
    p->set_name(t.name);
    p->set_begin(t.begin);
    p->set_count(t.count);
  }
  for (const Relation& r : g.relations()) {
    auto* p = man.add_relations();
    p->set_name(r.name);
    p->set_head_type(r.head_type);
    p->set_tail_type(r.tail_type);
    p->set_inverse(r.inverse);
    p->set_symmetric(r.symmetric);
  }
  const auto types = NodeTypesOf(man);
  const auto rels = RelationsOf(man);
  const std::string text = "user -listened-> song -by_artist^-1-> artist";
  EXPECT_NE(ErrorOf(g, text), "no error");
  const std::string ok = "user -friend-> user -listened-> song -by_artist-> artist -by_artist^-1-> song";
  EXPECT_EQ(ParseMetapath(ok, types, rels).relations, ParseMetapath(ok, g).relations);
  for (NodeId v = 0; v < g.num_nodes(); ++v) EXPECT_EQ(TypeOfNode(types, v), g.TypeOf(v));
}

}  // namespace
}  // namespace melograph
