"""How fast the diagnosis picker's ICD-10-CM search answers (billing room).

Run: ./run bench icd10. Prints, per query, the best of three uncached searches in
milliseconds, and the cached answer. Moved here from the test suite (timed tests are not kept:
speed is measured here). The picker searches as the user types, so the slowest kinds of query
(two letters that begin thousands of words, one letter, a common word outside chapter F)
should stay well under 100 ms and the typical query under 10 ms.
"""

from __future__ import annotations

import statistics
import time


def main() -> None:
    from openiop.billing import icd10  # plain Python: no Django set-up needed

    start = time.perf_counter()
    icd10.warm()
    print(f"index built in {time.perf_counter() - start:.1f} s")

    def best_ms(query: str) -> float:
        times = []
        for _ in range(3):
            icd10._search.cache_clear()
            began = time.perf_counter()
            icd10.search(query)
            times.append((time.perf_counter() - began) * 1000)
        return min(times)

    slow = ["in", "un", "co", "di", "s", "fracture", "other unspecified"]
    typical = ["F33", "major depressive", "alcohol dependence", "ptsd", "borderline"]
    print(f"{'query':<22} {'best of 3 (ms)':>15}")
    for query in slow + typical:
        print(f"{query:<22} {best_ms(query):>15.1f}")
    print(f"slowest kinds, max: {max(best_ms(q) for q in slow):.1f} ms (aim < 100)")
    print(f"typical, median: {statistics.median(best_ms(q) for q in typical):.1f} ms (aim < 10)")
    icd10.search("major depressive")
    began = time.perf_counter()
    icd10.search("major depressive")
    print(f"cached: {(time.perf_counter() - began) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
