#define BOOST_TEST_MODULE zctor_metrics
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(x){}
