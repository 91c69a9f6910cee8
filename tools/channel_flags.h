// Flags shared by `melograph eval --channel` and `melograph recall --channel`: the target
// relation and types, and the options of every channel (recall/channel_registry.h).
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <thread>

#include "recall/channel_registry.h"

namespace melograph::cli {

struct ChannelFlags {
  std::string user_type = "user";
  std::string item_type = "song";
  std::string relation = "listened";
  ChannelOptions options;
  // Exploration bandit over the mix's channels (online/bandit_mix.h).
  std::string bandit;    // policy name; empty = the quota mix
  std::string feedback;  // user_id <TAB> channel <TAB> reward
  uint64_t bandit_seed = 0;
  double epsilon = 0.1;
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

inline void AddChannelFlags(CLI::App* cmd, ChannelFlags& f) {
  cmd->add_option("--user-type", f.user_type, "Node type of the users.")->capture_default_str();
  cmd->add_option("--item-type", f.item_type,
                  "Node type of the ranked items (song; artist for Last.fm data).")
      ->capture_default_str();
  cmd->add_option("--relation", f.relation,
                  "Target relation user -> item whose edges are the training interactions.")
      ->capture_default_str();
  cmd->add_option("--item-neighbors", f.options.item_neighbors,
                  "itemcf: most similar items kept per item (0 = all).")
      ->capture_default_str();
  cmd->add_option("--user-neighbors", f.options.user_neighbors,
                  "usercf: most similar users kept per user (0 = all).")
      ->capture_default_str();
  cmd->add_flag(
      "--iuf", f.options.iuf,
      "itemcf/usercf: weight co-occurrences by 1/ln(1 + degree) of the shared user or item.");
  cmd->add_flag("--weighted", f.options.weighted,
                "Use log(1 + edge weight) instead of binary interactions.");
  cmd->add_option("--hops", f.options.hops, "kg-hop: longest walk, in KG hops (1..6).")
      ->capture_default_str();
  cmd->add_option("--kg-relations", f.options.kg_relations,
                  "kg-hop: relations to walk (their reverses too); default by_artist, in_album, "
                  "ost_of, appears_in, co_ost, co_show.")
      ->delimiter(',');
  cmd->add_option("--mix", f.options.mix, "mix: channel:quota list merged into the daily list.")
      ->capture_default_str();
  cmd->add_option("--bandit", f.bandit,
                  "mix: let this bandit policy (greedy, eps-greedy, ucb1, ucb1-tuned, thompson) choose the "
                  "channel of each slot from --feedback, instead of the quotas (docs/BANDITS.md).");
  cmd->add_option("--feedback", f.feedback,
                  "mix with --bandit: logged impressions, one 'user_id<TAB>channel<TAB>reward' per line.");
  cmd->add_option("--bandit-seed", f.bandit_seed, "mix with --bandit: seed of the policy's draws.")
      ->capture_default_str();
  cmd->add_option("--epsilon", f.epsilon, "mix with --bandit eps-greedy: exploration probability.")
      ->capture_default_str();
  cmd->add_option("--threads", f.threads, "Worker threads (results do not depend on it).")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
}

// With --bandit / --feedback: attaches the bandit planner to `channel`, which must be the mix
// (UsageError otherwise, or when only one of the two flags is given). Returns the summary line
// "bandit: POLICY, feedback: N impressions from U users" (empty without --bandit).
std::string AttachChannelBandit(Channel& channel, const ChannelFlags& f, const Graph& graph,
                                const Interactions& train);

}  // namespace melograph::cli
