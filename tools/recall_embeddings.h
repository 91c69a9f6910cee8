// `melograph recall --embeddings RUN`: top-K items for one user from an embedding run, by exact
// inner-product search and by an HNSW index, plus the HNSW recall against the exact list.
//
// Contract: tools/cmd_recall.cc parses the flags into EmbeddingRecallArgs and calls
// RecallWithEmbeddings, which prints to stdout and returns the process exit code (0). Errors
// are thrown (UsageError for a bad key/type, FormatError for a corrupt run). OWNER: export.
#pragma once

#include <string>

namespace melograph::cli {

struct EmbeddingRecallArgs {
  std::string run_dir;
  std::string graph_dir;
  std::string user_key;  // "user:42"
  int k = 50;
  std::string item_type = "song";
  bool hnsw = true;  // also search an HNSW index and report its recall
  // Extensions (defaults keep the placeholder contract):
  bool exclude_train = false;  // drop items the user has under target_relation
  std::string target_relation = "listened";
  int hnsw_m = 32;           // HNSW graph degree
  int hnsw_ef_search = 128;  // HNSW search beam width
};

int RecallWithEmbeddings(const EmbeddingRecallArgs& args);

}  // namespace melograph::cli
