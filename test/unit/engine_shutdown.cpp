// Placeholder: replaced by the real tests.
#define BOOST_TEST_MODULE zctor_engine_shutdown
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(placeholder) { BOOST_TEST(true); }
