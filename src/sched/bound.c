#include "bound.h"

double lower_bound(double chain, double work, double places)
{
	double spread = places > 0 ? work / places : 0;
	return chain > spread ? chain : spread;
}
