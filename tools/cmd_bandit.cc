// `melograph bandit simulate`: exploration bandits (greedy, epsilon-greedy, UCB1, Thompson) run
// against the planted tastes of a generated world; prints `key: value` lines and writes
// OUTDIR/regret.csv, OUTDIR/regret.svg and OUTDIR/summary.txt (online/bandit_simulator.h,
// docs/BANDITS.md).
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/file_util.h"
#include "common/resource.h"
#include "common/text.h"
#include "online/bandit_simulator.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct BanditOptions {
  std::string world, out;
  int64_t rounds = 200000;
  uint64_t seed = 1;
  std::string policies = "greedy,eps-greedy,ucb1,ucb1-tuned,thompson";
  double epsilon = 0.1;
  std::string arms = "genre";
  std::string state = "user";
  double prior_pulls = 5;
  int checkpoints = 50;
  int slots = 1;
  bool oracle = false;
};

std::string Fixed(double v, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

void RunSimulate(const BanditOptions& o) {
  BanditSimConfig config;
  config.rounds = o.rounds;
  config.seed = o.seed;
  config.scope = ParseBanditScope(o.state);
  config.prior_pulls = o.prior_pulls;
  config.checkpoints = o.checkpoints;
  config.slots = o.slots;
  for (const std::string& name : SplitList(o.policies, ',')) {
    if (name == "oracle")
      config.policies.push_back({name, std::nullopt});
    else
      config.policies.push_back({name, ParseBanditPolicy(name, o.epsilon)});
  }
  if (o.oracle) config.policies.push_back({"oracle", std::nullopt});
  const double t0 = WallSeconds();
  const BanditWorld world = LoadBanditWorld(o.world, ParseBanditArms(o.arms));
  const double load_s = WallSeconds() - t0;
  const BanditSimResult result = SimulateBandits(world, config);

  std::string text;
  auto line = [&](const std::string& key, const std::string& value) {
    text += key + ": " + value + "\n";
  };
  line("world", o.world);
  line("arms", o.arms + " (" + std::to_string(world.num_arms()) + ")");
  line("users", std::to_string(world.num_users()));
  line("segments", std::to_string(world.segment_names.size()));
  line("state", std::string(BanditScopeName(config.scope)));
  if (config.scope == BanditScope::kUserSegment)
    line("prior_pulls", Fixed(config.prior_pulls, "%g"));
  line("slots", std::to_string(config.slots));
  line("rounds", std::to_string(config.rounds));
  line("rounds_per_user",
       Fixed(static_cast<double>(config.rounds) / static_cast<double>(world.num_users()), "%.1f"));
  line("seed", std::to_string(config.seed));
  line("epsilon", Fixed(o.epsilon, "%g"));
  line("load_s", Fixed(load_s, "%.3f"));
  line("oracle_mean_reward", Fixed(result.oracle_expected_reward, "%.4f"));
  for (const BanditPolicyRun& r : result.runs) {
    const double rounds = static_cast<double>(config.rounds);
    const double t = rounds * config.slots;  // pulls: one per slot
    line("regret_" + r.name, Fixed(r.final_regret, "%.2f"));
    line("mean_reward_" + r.name, Fixed(r.reward_sum / t, "%.4f"));
    line("best_arm_share_" + r.name, Fixed(static_cast<double>(r.best_arm_rounds) / t, "%.4f"));
    line("ns_per_round_" + r.name, Fixed(r.seconds / rounds * 1e9, "%.0f"));
  }
  // The claim, when all four policies ran: UCB1 and Thompson below greedy and eps-greedy.
  const auto regret_of = [&](const std::string& name) -> const BanditPolicyRun* {
    for (const auto& r : result.runs)
      if (r.name == name) return &r;
    return nullptr;
  };
  const auto* greedy = regret_of("greedy");
  const auto* eps = regret_of("eps-greedy");
  const auto* ucb = regret_of("ucb1");
  const auto* ts = regret_of("thompson");
  if (greedy && eps && ucb && ts) {
    const double worst_smart = std::max(ucb->final_regret, ts->final_regret);
    const double best_simple = std::min(greedy->final_regret, eps->final_regret);
    line("ucb1_and_thompson_beat_greedy_and_eps_greedy", worst_smart < best_simple ? "yes" : "no");
    if (const auto* tuned = regret_of("ucb1-tuned")) {
      const double worst = std::max(tuned->final_regret, ts->final_regret);
      line("ucb1_tuned_and_thompson_beat_greedy_and_eps_greedy", worst < best_simple ? "yes" : "no");
    }
  }
  MakeDirectories(o.out);
  WriteWholeFile(JoinPath(o.out, "regret.csv"), RegretCsv(result));
  WriteWholeFile(JoinPath(o.out, "regret.svg"),
                 RegretSvg(result, "Cumulative regret, " + o.arms + " arms, " +
                                       std::string(BanditScopeName(config.scope)) +
                                       " state, seed " + std::to_string(config.seed)));
  WriteWholeFile(JoinPath(o.out, "summary.txt"), text);
  line("out", o.out);
  std::fputs(text.c_str(), stdout);
}

}  // namespace

void RegisterBandit(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("bandit", "Exploration bandits over the recall mix (docs/BANDITS.md)");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<BanditOptions>();
  auto* sim = cmd->add_subcommand(
      "simulate",
      "Run bandit policies against a generated world's planted tastes (DIR/truth) and report the "
      "cumulative regret R_T of each: OUTDIR/regret.csv, OUTDIR/regret.svg, OUTDIR/summary.txt");
  sim->add_option("--world", opts->world, "World directory written by `melograph generate`")
      ->required();
  sim->add_option("--out", opts->out,
                  "Output directory (created; its files are written atomically)")
      ->required();
  sim->add_option("--rounds", opts->rounds, "Horizon T: number of served requests")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sim->add_option("--seed", opts->seed, "Random seed (users, rewards, policy draws)")
      ->capture_default_str();
  sim->add_option("--policies", opts->policies,
                  "Comma-separated: greedy, eps-greedy, ucb1, ucb1-tuned, thompson, thompson-gaussian, oracle")
      ->capture_default_str();
  sim->add_option("--epsilon", opts->epsilon, "Exploration probability of eps-greedy")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sim->add_option("--arms", opts->arms, "Arms: genre (one per genre) or cluster (genre x language)")
      ->check(CLI::IsMember({"genre", "cluster"}))
      ->capture_default_str();
  sim->add_option(
         "--state", opts->state,
         "Whose statistics a policy reads: user (personal), segment (language), global, or "
         "user-segment (personal + --prior-pulls pseudo-pulls at the segment's mean)")
      ->check(CLI::IsMember({"user", "segment", "global", "user-segment"}))
      ->capture_default_str();
  sim->add_option("--prior-pulls", opts->prior_pulls,
                  "Pseudo-pulls of the segment prior (user-segment state)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sim->add_option("--checkpoints", opts->checkpoints, "Points of the regret curve")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  sim->add_option("--slots", opts->slots,
                  "List length K: each round fills K slots from the arms (feedback per slot); "
                  "regret sums over slots")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sim->add_flag("--oracle", opts->oracle, "Also run the per-user oracle (regret 0, a sanity line)");
  sim->callback([opts] { RunSimulate(*opts); });
}

}  // namespace melograph::cli
