// Bandit simulator: see bandit_simulator.h.
#include "online/bandit_simulator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/file_util.h"
#include "common/hash.h"
#include "common/line_reader.h"
#include "common/svg_chart.h"
#include "common/text.h"

namespace melograph {
namespace {

// 1-based column where field i of the split line starts.
int64_t ColumnOf(const std::vector<std::string_view>& fields, size_t i) {
  int64_t col = 1;
  for (size_t k = 0; k < i; ++k) col += static_cast<int64_t>(fields[k].size()) + 1;
  return col;
}

// Iterates the data lines (not '#' headers, not empty) of a truth file, checking the field count.
template <typename OnLine>
void ReadTruthFile(const std::string& path, size_t min_fields, size_t max_fields, OnLine on_line) {
  if (!PathExists(path))
    throw IoError(path + ": missing (expected a world written by `melograph generate`)");
  LineReader reader(path);
  std::string_view line;
  std::vector<std::string_view> fields;
  while (reader.Next(line)) {
    if (line.empty() || line.front() == '#') continue;
    int64_t column = 0;
    std::string reason;
    if (!CheckLineText(line, column, reason))
      throw InputError(path, reader.line_number(), column, reason);
    const size_t n = SplitFields(line, '\t', fields);
    if (n < min_fields || n > max_fields)
      throw InputError(
          path, reader.line_number(), 0,
          "expected " + std::to_string(min_fields) +
              (max_fields != min_fields ? "-" + std::to_string(max_fields) : std::string()) +
              " tab-separated fields, found " + std::to_string(n));
    on_line(fields, reader.line_number());
  }
}

struct ClusterInfo {
  int genre = 0;  // index into the genre names
  int language = 0;
};

}  // namespace

BanditArms ParseBanditArms(std::string_view s) {
  if (s == "genre") return BanditArms::kGenre;
  if (s == "cluster") return BanditArms::kCluster;
  throw UsageError("--arms must be genre or cluster, not '" + std::string(s) + "'");
}

BanditScope ParseBanditScope(std::string_view s) {
  if (s == "user") return BanditScope::kUser;
  if (s == "segment") return BanditScope::kSegment;
  if (s == "global") return BanditScope::kGlobal;
  if (s == "user-segment") return BanditScope::kUserSegment;
  throw UsageError("--state must be user, segment, global or user-segment, not '" + std::string(s) +
                   "'");
}

std::string_view BanditScopeName(BanditScope scope) {
  switch (scope) {
    case BanditScope::kUser:
      return "user";
    case BanditScope::kSegment:
      return "segment";
    case BanditScope::kGlobal:
      return "global";
    case BanditScope::kUserSegment:
      return "user-segment";
  }
  return "?";
}

double PositiveListenProbability(double affinity) {
  // E[clamp(a + U, 0, 1)] for U uniform on [-0.1, 0.1]: the clamp only bites within 0.1 of an end.
  double m = affinity;
  if (affinity > 0.9) m -= (affinity - 0.9) * (affinity - 0.9) / 0.4;
  if (affinity < 0.1) m += (0.1 - affinity) * (0.1 - affinity) / 0.4;
  return 1.0 - (0.04 + 0.5 * (1.0 - m));
}

void BanditWorld::Validate() const {
  const size_t users = user_ids.size(), arms = arm_names.size();
  if (arms == 0) throw FormatError("bandit world: no arms");
  if (segment.size() != users || activity.size() != users || expected.size() != users * arms)
    throw FormatError("bandit world: per-user arrays disagree in size");
  for (size_t u = 0; u < users; ++u) {
    if (segment[u] < 0 ||
        static_cast<size_t>(segment[u]) >= std::max<size_t>(1, segment_names.size()))
      throw FormatError("bandit world: user " + user_ids[u] + " has an unknown segment");
    if (!(activity[u] > 0))
      throw FormatError("bandit world: user " + user_ids[u] + " has activity <= 0");
  }
  for (double w : expected)
    if (!(w >= 0.0 && w <= 1.0))
      throw FormatError("bandit world: an expected reward lies outside [0, 1]");
}

BanditWorld LoadBanditWorld(const std::string& world_dir, BanditArms arms) {
  BanditWorld world;
  const std::string clusters_path = JoinPath(world_dir, "truth/clusters.tsv");
  const std::string users_path = JoinPath(world_dir, "truth/users.tsv");

  std::unordered_map<int64_t, int> cluster_index;  // cluster id -> position
  std::vector<ClusterInfo> clusters;
  std::vector<std::string> genre_names, cluster_names;
  std::unordered_map<std::string, int> genre_of, language_of;
  ReadTruthFile(clusters_path, 3, 5, [&](const std::vector<std::string_view>& f, int64_t line) {
    const auto id = ParseInt64(f[0]);
    if (!id || *id < 0)
      throw InputError(clusters_path, line, 1, "cluster id must be a non-negative integer");
    if (f[1].empty()) throw InputError(clusters_path, line, ColumnOf(f, 1), "empty genre");
    if (f[2].empty()) throw InputError(clusters_path, line, ColumnOf(f, 2), "empty language");
    if (!cluster_index.emplace(*id, static_cast<int>(clusters.size())).second)
      throw InputError(clusters_path, line, 1, "duplicate cluster " + std::to_string(*id));
    const std::string genre(f[1]), language(f[2]);
    auto g = genre_of.emplace(genre, static_cast<int>(genre_names.size()));
    if (g.second) genre_names.push_back(genre);
    auto l = language_of.emplace(language, static_cast<int>(world.segment_names.size()));
    if (l.second) world.segment_names.push_back(language);
    clusters.push_back({g.first->second, l.first->second});
    cluster_names.push_back(genre + "/" + language);
  });
  if (clusters.empty()) throw InputError(clusters_path, 1, 0, "no clusters");
  world.arm_names = arms == BanditArms::kGenre ? genre_names : cluster_names;
  const size_t num_arms = world.arm_names.size();

  std::unordered_set<std::string> seen_users;
  std::vector<std::pair<int, double>> mine;  // (cluster position, weight) of the current user
  std::vector<double> genre_weight(genre_names.size()), genre_reward(genre_names.size()),
      genre_plain(genre_names.size());
  std::vector<int> genre_count(genre_names.size());
  std::vector<std::string_view> parts;
  ReadTruthFile(users_path, 4, 4, [&](const std::vector<std::string_view>& f, int64_t line) {
    if (f[0].empty()) throw InputError(users_path, line, 1, "empty user id");
    if (!seen_users.insert(std::string(f[0])).second)
      throw InputError(users_path, line, 1, "duplicate user " + std::string(f[0]));
    mine.clear();
    const int64_t col = ColumnOf(f, 1);
    if (f[1].empty()) throw InputError(users_path, line, col, "user has no cluster");
    SplitFields(f[1], ';', parts);
    for (std::string_view p : parts) {
      const size_t colon = p.find(':');
      const auto id =
          colon == std::string_view::npos ? std::nullopt : ParseInt64(p.substr(0, colon));
      const auto w =
          colon == std::string_view::npos ? std::nullopt : ParseDouble(p.substr(colon + 1));
      if (!id || !w)
        throw InputError(users_path, line, col,
                         "expected cluster:weight, found '" + std::string(p) + "'");
      const auto it = cluster_index.find(*id);
      if (it == cluster_index.end())
        throw InputError(
            users_path, line, col,
            "unknown cluster " + std::to_string(*id) + " (not in " + clusters_path + ")");
      // The generator rounds weights to 4 decimals, so a minor cluster may read as 0 (affinity
      // 0.55).
      if (!(std::isfinite(*w) && *w >= 0))
        throw InputError(users_path, line, col, "cluster weight must be >= 0");
      for (const auto& [k, unused] : mine)
        if (k == it->second)
          throw InputError(users_path, line, col,
                           "cluster " + std::to_string(*id) + " listed twice");
      mine.emplace_back(it->second, *w);
    }
    const auto events = ParseInt64(f[3]);
    if (!events || *events < 0)
      throw InputError(users_path, line, ColumnOf(f, 3), "target_events must be an integer >= 0");

    double w_max = 0;
    int primary = mine.front().first;
    for (const auto& [k, w] : mine)
      if (w > w_max) w_max = w, primary = k;
    if (!(w_max > 0)) throw InputError(users_path, line, col, "every cluster weight is 0");
    world.user_ids.emplace_back(f[0]);
    world.segment.push_back(clusters[static_cast<size_t>(primary)].language);
    world.activity.push_back(static_cast<double>(std::max<int64_t>(1, *events)));
    const double outside = PositiveListenProbability(0.15);
    const size_t row = world.expected.size();
    world.expected.resize(row + num_arms, outside);
    if (arms == BanditArms::kCluster) {
      for (const auto& [k, w] : mine)
        world.expected[row + static_cast<size_t>(k)] =
            PositiveListenProbability(0.55 + 0.45 * w / w_max);
    } else {
      // Weighted mean over the user's clusters of each genre; a genre whose only clusters have
      // weight 0 (rounded away) gets their plain mean (affinity 0.55).
      std::fill(genre_weight.begin(), genre_weight.end(), 0.0);
      std::fill(genre_reward.begin(), genre_reward.end(), 0.0);
      std::fill(genre_count.begin(), genre_count.end(), 0);
      for (const auto& [k, w] : mine) {
        const auto g = static_cast<size_t>(clusters[static_cast<size_t>(k)].genre);
        const double p = PositiveListenProbability(0.55 + 0.45 * w / w_max);
        genre_weight[g] += w;
        genre_reward[g] += w * p;
        genre_plain[g] = genre_count[g]++ == 0 ? p : genre_plain[g] + p;
      }
      for (size_t g = 0; g < num_arms; ++g) {
        if (genre_weight[g] > 0)
          world.expected[row + g] = genre_reward[g] / genre_weight[g];
        else if (genre_count[g] > 0)
          world.expected[row + g] = genre_plain[g] / genre_count[g];
      }
    }
  });
  if (world.user_ids.empty()) throw InputError(users_path, 1, 0, "no users");
  world.Validate();
  return world;
}

BanditSimResult SimulateBandits(const BanditWorld& world, const BanditSimConfig& config) {
  world.Validate();
  if (config.rounds < 1) throw UsageError("bandit: --rounds must be >= 1");
  if (config.checkpoints < 1) throw UsageError("bandit: the number of checkpoints must be >= 1");
  if (config.policies.empty()) throw UsageError("bandit: no policy to simulate");
  if (!(config.prior_pulls >= 0)) throw UsageError("bandit: --prior-pulls must be >= 0");
  if (config.slots < 1) throw UsageError("bandit: --slots must be >= 1");
  const int64_t users = world.num_users(), T = config.rounds;
  const auto arms = static_cast<size_t>(world.num_arms());
  const size_t segments = std::max<size_t>(1, world.segment_names.size());

  // Per-user oracle, and the cumulative activity for drawing users.
  std::vector<int> best(static_cast<size_t>(users));
  std::vector<double> best_w(static_cast<size_t>(users)), cdf(static_cast<size_t>(users));
  double total = 0;
  for (int64_t u = 0; u < users; ++u) {
    int b = 0;
    for (int a = 1; a < static_cast<int>(arms); ++a)
      if (world.Expected(u, a) > world.Expected(u, b)) b = a;
    best[static_cast<size_t>(u)] = b;
    best_w[static_cast<size_t>(u)] = world.Expected(u, b);
    total += world.activity[static_cast<size_t>(u)];
    cdf[static_cast<size_t>(u)] = total;
  }
  auto draw_user = [&](int64_t t) {
    Rng rng(HashCombine(config.seed, kBanditUserSalt, static_cast<uint64_t>(t)));
    const double x = rng.UniformDouble() * total;
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), x);
    return std::min<int64_t>(users - 1, it - cdf.begin());
  };

  BanditSimResult result;
  for (int k = 1; k <= config.checkpoints; ++k) {
    const int64_t c = (T * k + config.checkpoints - 1) / config.checkpoints;
    if (c >= 1 && (result.checkpoints.empty() || c > result.checkpoints.back()))
      result.checkpoints.push_back(c);
  }
  for (int64_t t = 1; t <= T; ++t)
    result.oracle_expected_reward += best_w[static_cast<size_t>(draw_user(t))];
  result.oracle_expected_reward /= static_cast<double>(T);

  const bool per_user =
      config.scope == BanditScope::kUser || config.scope == BanditScope::kUserSegment;
  const bool pooled = config.scope != BanditScope::kUser;
  for (const BanditSimPolicy& spec : config.policies) {
    std::optional<BanditPolicy> policy;
    if (spec.policy) policy.emplace(*spec.policy);
    BanditPolicyRun run;
    run.name = spec.name;
    std::vector<ArmStats> user_state(per_user ? static_cast<size_t>(users) * arms : 0);
    std::vector<ArmStats> pool_state(pooled ? segments * arms : 0), effective(arms);
    std::vector<int> chosen(static_cast<size_t>(config.slots));
    double regret = 0;
    size_t next_checkpoint = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int64_t t = 1; t <= T; ++t) {
      const int64_t u = draw_user(t);
      const auto su = static_cast<size_t>(u);
      ArmStats* mine = per_user ? &user_state[su * arms] : nullptr;
      ArmStats* pool = nullptr;
      if (pooled) {
        const size_t s =
            config.scope == BanditScope::kGlobal ? 0 : static_cast<size_t>(world.segment[su]);
        pool = &pool_state[s * arms];
      }
      // The arms of this round's list: one per slot (slots == 1: the plain bandit).
      if (!policy) {
        std::fill(chosen.begin(), chosen.end(), best[su]);
      } else {
        const uint64_t key =
            HashCombine(config.seed, static_cast<uint64_t>(t), static_cast<uint64_t>(u));
        std::span<const ArmStats> stats(per_user ? mine : pool, arms);
        if (config.scope == BanditScope::kUserSegment) {
          for (size_t a = 0; a < arms; ++a) {
            effective[a] = mine[a];
            if (pool[a].pulls > 0 && config.prior_pulls > 0) {
              effective[a].pulls += config.prior_pulls;
              effective[a].reward_sum += config.prior_pulls * pool[a].mean();
              effective[a].reward_sq_sum += config.prior_pulls * pool[a].mean_square();
            }
          }
          stats = effective;
        }
        if (config.slots == 1)
          chosen[0] = policy->Choose(stats, key);
        else
          chosen = policy->ChooseSlots(stats, config.slots, key);
      }
      // Feedback per slot; the list is chosen before any of it arrives.
      for (size_t k = 0; k < chosen.size(); ++k) {
        const int arm = chosen[k];
        const double w = world.Expected(u, arm);
        const uint64_t reward_key =
            config.slots == 1
                ? HashCombine(config.seed, kBanditRewardSalt, static_cast<uint64_t>(t),
                              static_cast<uint64_t>(u), static_cast<uint64_t>(arm))
                : HashCombine(config.seed, kBanditRewardSalt, static_cast<uint64_t>(t),
                              static_cast<uint64_t>(u), static_cast<uint64_t>(arm), k);
        Rng reward_rng(reward_key);
        const double reward = reward_rng.UniformDouble() < w ? 1.0 : 0.0;
        if (mine) BanditPolicy::Update(mine[arm], reward);
        if (pool) BanditPolicy::Update(pool[arm], reward);
        run.reward_sum += reward;
        regret += best_w[su] - w;
        if (arm == best[su]) ++run.best_arm_rounds;
      }
      if (next_checkpoint < result.checkpoints.size() && t == result.checkpoints[next_checkpoint]) {
        run.regret.push_back(regret);
        ++next_checkpoint;
      }
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.final_regret = regret;
    result.runs.push_back(std::move(run));
  }
  return result;
}

std::string RegretCsv(const BanditSimResult& result) {
  std::string out = "rounds";
  for (const auto& r : result.runs) out += "," + r.name;
  out += "\n";
  for (size_t i = 0; i < result.checkpoints.size(); ++i) {
    AppendInt(out, result.checkpoints[i]);
    for (const auto& r : result.runs) {
      out += ",";
      AppendFloat(out, std::round(r.regret[i] * 1e6) / 1e6);
    }
    out += "\n";
  }
  return out;
}

std::string RegretSvg(const BanditSimResult& result, const std::string& title) {
  // Keep tick labels short: T in thousands or millions when large.
  const int64_t last = result.checkpoints.empty() ? 0 : result.checkpoints.back();
  const int64_t unit = last >= 2000000 ? 1000000 : last >= 20000 ? 1000 : 1;
  const std::string x_label = unit == 1000000 ? "rounds T (millions)"
                              : unit == 1000  ? "rounds T (thousands)"
                                              : "rounds T";
  std::vector<double> xs;
  for (int64_t c : result.checkpoints)
    xs.push_back(static_cast<double>(c) / static_cast<double>(unit));
  std::vector<ChartSeries> series;
  for (const auto& r : result.runs) {
    ChartSeries s{r.name, {}};
    for (double v : r.regret) s.values.push_back(v);
    series.push_back(std::move(s));
  }
  LineChartStyle style;
  style.x_format = "%g";
  style.markers = xs.size() <= 60;
  return SvgLineChart(title, x_label, "cumulative regret R_T", xs, series, style);
}

}  // namespace melograph
