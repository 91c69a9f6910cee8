// The hand-drawn recall graph shared by the channel tests (tests/recall/channels_test.cc) and the
// bandit-over-the-mix tests (tests/online/bandit_mix_test.cc).
#pragma once

#include "graph/graph_builder.h"

namespace melograph::testing {

//   user:a ─ song:1 ─┐                     genre:pop  <- song:1 song:2 song:3
//          └ song:2 ─┴─ artist:x ─ song:5   genre:rock <- song:4 song:6
//   user:b ─ song:1 song:2 song:3
//   user:c ─ song:3 ─┐
//          └ song:4 ─┴─ artist:y -appears_in-> anime:z <-ost_of- song:6
// Songs get local ids 0..5 in key order (song:1 = 0 ... song:6 = 5); users a=0 b=1 c=2.
inline Graph ChannelGraph() {
  return MakeGraph({{"user:a", "listened", "song:1"},
                    {"user:a", "listened", "song:2"},
                    {"user:b", "listened", "song:1"},
                    {"user:b", "listened", "song:2"},
                    {"user:b", "listened", "song:3"},
                    {"user:c", "listened", "song:3"},
                    {"user:c", "listened", "song:4"},
                    {"song:1", "by_artist", "artist:x"},
                    {"song:2", "by_artist", "artist:x"},
                    {"song:5", "by_artist", "artist:x"},
                    {"song:3", "by_artist", "artist:y"},
                    {"song:4", "by_artist", "artist:y"},
                    {"song:1", "has_genre", "genre:pop"},
                    {"song:2", "has_genre", "genre:pop"},
                    {"song:3", "has_genre", "genre:pop"},
                    {"song:4", "has_genre", "genre:rock"},
                    {"song:6", "has_genre", "genre:rock"},
                    {"song:6", "ost_of", "anime:z"},
                    {"artist:y", "appears_in", "anime:z"}});
}

}  // namespace melograph::testing
