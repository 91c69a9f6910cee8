// `melograph import hetrec-lastfm|lightgcn|kgat --in DIR --out DIR`: converts a public dataset
// into triples (OUT/train.tsv), evaluation pairs (OUT/test.tsv) and a `key: value` summary
// (OUT/import.txt), plus side tables. Formats and counts: docs/IMPORTERS.md.
#include <cstdio>
#include <memory>
#include <string>

#include "common/error.h"
#include "kg_builder/import_common.h"
#include "kg_builder/import_hetrec.h"
#include "kg_builder/import_kgat.h"
#include "kg_builder/import_lightgcn.h"
#include "tools/commands.h"

namespace melograph::cli {
namespace {

struct ImportFlags {
  std::string in;
  std::string out;
  HetrecOptions hetrec;
  LightgcnOptions lightgcn;
  KgatOptions kgat;
  bool no_friends = false;
  bool no_tags = false;
  bool no_kg = false;
};

void AddInOut(CLI::App* cmd, ImportFlags& flags, const std::string& what) {
  cmd->add_option("--in", flags.in, "Input folder holding " + what)->required();
  cmd->add_option("--out", flags.out,
                  "Output folder (written atomically): train.tsv, test.tsv, import.txt and "
                  "side tables")
      ->required();
}

void Finish(const ImportResult& result, const std::string& out) {
  WriteImport(result, out);
  std::fputs(result.summary.Text().c_str(), stdout);
}

}  // namespace

void RegisterImport(CLI::App& app) {
  auto flags = std::make_shared<ImportFlags>();
  auto* cmd = app.add_subcommand(
      "import", "Convert a public dataset into triples plus test.tsv (see docs/IMPORTERS.md)");
  cmd->require_subcommand(1);

  auto* hetrec = cmd->add_subcommand(
      "hetrec-lastfm",
      "HetRec 2011 Last.fm (hetrec2011-lastfm-2k): listens, friends and artist tags, with a "
      "seeded per-user train/test split");
  AddInOut(hetrec, *flags,
           "artists.dat, tags.dat, user_artists.dat, user_friends.dat, user_taggedartists.dat");
  hetrec
      ->add_option("--test-fraction", flags->hetrec.test_fraction,
                   "Fraction of each user's artists held out for test, in [0, 1); "
                   "min(round(f*n), n-1) per user")
      ->capture_default_str();
  hetrec
      ->add_option("--seed", flags->hetrec.seed,
                   "Seed of the split; user u's test set depends on (seed, u) only")
      ->capture_default_str();
  hetrec->add_flag("--no-tags", flags->no_tags, "Do not write artist->tag `tagged` triples");
  hetrec->add_flag("--no-friends", flags->no_friends, "Do not write user--user `friend` triples");
  hetrec->add_flag("--keep-unknown-artists", flags->hetrec.keep_unknown_artists,
                   "Keep tagged artistIDs missing from artists.dat as nameless artist nodes "
                   "(default: drop them and count them)");
  hetrec->add_flag("--binary-listens", flags->hetrec.binary_listens,
                   "Write listened weight 1 instead of 1 + ln(listen count)");
  hetrec->callback([flags] {
    flags->hetrec.dir = flags->in;
    flags->hetrec.tags = !flags->no_tags;
    flags->hetrec.friends = !flags->no_friends;
    Finish(ImportHetrec(flags->hetrec), flags->out);
  });

  auto* lightgcn = cmd->add_subcommand(
      "lightgcn",
      "Last.fm split of LightGCN-PyTorch (data1.txt, test1.txt, trustnetwork.txt), split and "
      "1-based ids kept exactly");
  AddInOut(lightgcn, *flags, "data1.txt, test1.txt, trustnetwork.txt");
  lightgcn->add_flag("--no-friends", flags->no_friends,
                     "Do not write user--user `friend` triples from trustnetwork.txt");
  lightgcn->add_option("--hetrec", flags->lightgcn.hetrec_dir,
                       "HetRec 2011 Last.fm folder: map items back to HetRec artists and attach "
                       "their tags (artist:<item> tagged tag:<value>)");
  lightgcn->add_flag("--binary-listens", flags->lightgcn.binary_listens,
                     "Write listened weight 1 (as LightGCN trains) instead of 1 + ln(count)");
  lightgcn->callback([flags] {
    flags->lightgcn.dir = flags->in;
    flags->lightgcn.friends = !flags->no_friends;
    Finish(ImportLightgcn(flags->lightgcn), flags->out);
  });

  auto* kgat = cmd->add_subcommand(
      "kgat",
      "KGAT/KGIN layout (train.txt, test.txt, kg_final.txt); items are KG entities "
      "0..n_items-1 and are keyed item:<id> so they join");
  AddInOut(kgat, *flags, "train.txt, test.txt, kg_final.txt");
  kgat->add_flag("--no-kg", flags->no_kg, "Import interactions only; kg_final.txt is not read");
  kgat->callback([flags] {
    flags->kgat.dir = flags->in;
    flags->kgat.kg = !flags->no_kg;
    Finish(ImportKgat(flags->kgat), flags->out);
  });
}

}  // namespace melograph::cli
