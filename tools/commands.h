// Subcommand registration: each tools/cmd_<name>.cc defines one Register function that adds
// its subcommand (flags, --help text and a callback) to the app. main.cc calls them all.
// Callbacks throw melograph::Error subclasses; main.cc is the only place that catches.
#pragma once

#include <CLI/CLI.hpp>

namespace melograph::cli {

void RegisterGenerate(CLI::App& app);
void RegisterBuildKg(CLI::App& app);
void RegisterImport(CLI::App& app);
void RegisterBuildGraph(CLI::App& app);
void RegisterStats(CLI::App& app);
void RegisterPartition(CLI::App& app);
// Distributed samplers under mpirun: verify against the serial reference, or measure.
void RegisterSample(CLI::App& app);
void RegisterEval(CLI::App& app);
void RegisterRecall(CLI::App& app);
void RegisterExport(CLI::App& app);
// Single-process reference trainer (model/serial_trainer.h).
void RegisterTrainLocal(CLI::App& app);
void RegisterReport(CLI::App& app);
void RegisterPlan(CLI::App& app);
void RegisterTrain(CLI::App& app);
// Diagnostic: a few collectives under mpirun, and a deliberate failure on one rank.
void RegisterMpiSelftest(CLI::App& app);
// Incremental updates: fold new users, songs and edges into a trained run (docs/UPDATE.md).
void RegisterUpdate(CLI::App& app);
// Exploration bandits: `bandit simulate` reports cumulative regret on a generated world.
void RegisterBandit(CLI::App& app);
// Private FM: next song after each (song, feedback) event; --replay scores held-out sessions.
void RegisterFm(CLI::App& app);

}  // namespace melograph::cli
