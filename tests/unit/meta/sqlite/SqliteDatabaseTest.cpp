#include "meta/sqlite/SqliteDatabase.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "../../support/TestSupport.h"

namespace strata {
namespace {

std::string openError(const std::string& path) {
  try {
    SqliteDatabase db(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(SqliteDatabaseTest, RefusesAFileThatIsNoDatabase) {
  test::TempDir dir;
  std::string path = dir / "strata.db";
  test::writeFile(path, std::string(8192, 'x'));
  std::string error = openError(path);
  EXPECT_NE(error.find("the database file " + path + " is damaged"), std::string::npos) << error;
  EXPECT_NE(error.find("restore it from a backup"), std::string::npos) << error;
}

TEST(SqliteDatabaseTest, RefusesADamagedDatabaseAndOpensASoundOne) {
  test::TempDir dir;
  std::string path = dir / "strata.db";
  { SqliteDatabase db(path); }  // migrated: many pages
  EXPECT_EQ(openError(path), "") << "a sound database opens";
  // Overwrite pages in the middle of the file, as a torn write or a bad disk would.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 3);
    std::string junk(4096 * 3, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  std::string error = openError(path);
  EXPECT_NE(error.find("is damaged"), std::string::npos) << error;
}

}  // namespace
}  // namespace strata
