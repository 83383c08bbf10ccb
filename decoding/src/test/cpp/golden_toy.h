// Reads the golden toy file (src/test/resources/golden/toy_section5.txt) and maps its token names
// to ids for a given special-token assignment.
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/layout.h"
#include "mini_test.h"

namespace aspd::testing {

struct GoldenToy {
  std::vector<std::string> tokens;
  std::vector<int32_t> group_id, branch_id;
  std::map<std::string, std::vector<int32_t>> positions;  // mode name -> [T]
  std::vector<std::string> mask;                          // [T] rows of '1' / '.'
};

inline GoldenToy read_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw mini::Failure("cannot open golden file " + path);
  GoldenToy g;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string key, word;
    ls >> key;
    if (key == "tokens") {
      while (ls >> word) g.tokens.push_back(word);
    } else if (key == "group_id" || key == "branch_id") {
      auto& dst = key == "group_id" ? g.group_id : g.branch_id;
      int v;
      while (ls >> v) dst.push_back(v);
    } else if (key == "position") {
      std::string mode;
      ls >> mode;
      int v;
      while (ls >> v) g.positions[mode].push_back(v);
    } else if (key == "mask") {
      ls >> word;
      g.mask.push_back(word);
    }
  }
  return g;
}

// Special names map to st; every other name gets the next id not used by a special token, in
// order of first occurrence (so the title ids repeat exactly in the branch headers).
inline std::vector<int32_t> toy_ids(const GoldenToy& g, const SpecialTokens& st) {
  std::map<std::string, int32_t> ids = {{"<|branch|>", st.branch}, {"<|/branch|>", st.branch_end},
                                        {"<|title|>", st.title},   {"<|/title|>", st.title_end},
                                        {"<|para|>", st.para},     {"<|/para|>", st.para_end}};
  std::vector<int32_t> out;
  int32_t next = 0;
  for (const std::string& name : g.tokens) {
    if (ids.count(name) == 0) {
      auto taken = [&](int32_t id) {
        for (const auto& kv : ids)
          if (kv.second == id) return true;
        return false;
      };
      while (taken(next)) ++next;
      ids[name] = next++;
    }
    out.push_back(ids[name]);
  }
  return out;
}

}  // namespace aspd::testing
