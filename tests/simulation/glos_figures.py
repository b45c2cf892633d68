"""Gloucestershire's published figures (DfE SEN2 2022 and 2025 releases; ONS 2018-based
SNPP), typed in from /work/shared/data/SUMMARY.md and the SEN2 extracts, for tests."""

from __future__ import annotations

import pandas as pd

YEARS_JANUARY = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
YEARS_CALENDAR = (2019, 2020, 2021, 2022, 2023, 2024)
EHCP_TOTAL = (3658, 3922, 4332, 4854, 5289, 5876, 6412)
MAINSTREAM = (1651, 1814, 1961, 2160, 2518, 2787, 3122)
STATE_SPECIAL = (1122, 1173, 1231, 1293, 1350, 1442, 1506)
INDEPENDENT_SPECIAL = (149, 167, 196, 213, 218, 257, 289)
FE = (474, 468, 543, 563, 733, 742, 790)
AP = (52, 32, 23, 20, 36, 34, 33)
OTHER = (210, 268, 378, 605, 434, 614, 672)
NEW_PLANS = (484, 558, 582, 864, 793, 967)
REQUESTS = (613, 700, 907, 1116, 1436, 1625)
REFUSED = (25, 23, 75, 193, 455, 457)
ASSESSED_NOT_ISSUED = (21, 20, 28, 127, 88, 39)
CEASED = (184, 192, 155, 467, 285, 467)
WITHIN_20_WEEKS_PCT = (99.4, 63.3, 22.4, 28.6, 35.0, 26.3)
#: ONS 2018-based SNPP, Gloucestershire, mid-year 2019..2025, ages 0..25.
POPULATION = (
    (6373, 6694, 6759, 7209, 7167, 7384, 7429, 7749, 7594, 7486, 7435, 7583, 7297, 7171, 6902, 7119, 6911, 6946, 7166, 6643, 6676, 6656, 6722, 6697, 6767, 6942),
    (6444, 6474, 6823, 6891, 7312, 7290, 7496, 7528, 7836, 7695, 7563, 7530, 7688, 7394, 7292, 6991, 7195, 7202, 6873, 6556, 6455, 6688, 6586, 6806, 6709, 6778),
    (6456, 6538, 6595, 6940, 6990, 7425, 7398, 7580, 7608, 7933, 7769, 7654, 7631, 7783, 7513, 7377, 7067, 7488, 7116, 6311, 6364, 6474, 6599, 6673, 6803, 6719),
    (6439, 6548, 6657, 6710, 7031, 7103, 7530, 7485, 7652, 7703, 8008, 7860, 7755, 7724, 7904, 7598, 7453, 7367, 7394, 6519, 6142, 6380, 6404, 6680, 6670, 6806),
    (6471, 6529, 6664, 6770, 6799, 7138, 7209, 7613, 7558, 7738, 7775, 8100, 7963, 7847, 7844, 7990, 7673, 7759, 7290, 6760, 6332, 6169, 6303, 6494, 6671, 6671),
    (6486, 6559, 6644, 6776, 6858, 6904, 7236, 7293, 7683, 7645, 7803, 7865, 8203, 8055, 7966, 7927, 8063, 7986, 7673, 6717, 6558, 6346, 6107, 6384, 6488, 6667),
    (6510, 6574, 6672, 6754, 6862, 6961, 7000, 7314, 7364, 7767, 7711, 7886, 7966, 8296, 8175, 8051, 8000, 8383, 7891, 7060, 6548, 6567, 6265, 6195, 6374, 6481),
)


def targets() -> pd.DataFrame:
    """Tidy ``measure, breakdown, year, value`` as sendcast's data layer gives them."""
    rows = []
    for measure, values in (("ehcp_total", EHCP_TOTAL), ("ehcp_mainstream", MAINSTREAM),
                            ("ehcp_state_special", STATE_SPECIAL), ("ehcp_independent_special", INDEPENDENT_SPECIAL),
                            ("ehcp_fe", FE), ("ehcp_ap", AP), ("ehcp_other", OTHER)):
        rows += [(measure, "", y, v) for y, v in zip(YEARS_JANUARY, values)]
    for measure, values in (("new_plans", NEW_PLANS), ("requests", REQUESTS), ("requests_refused", REFUSED),
                            ("assessed_not_issued", ASSESSED_NOT_ISSUED), ("plans_ceased", CEASED),
                            ("issued_within_20wk_pct", WITHIN_20_WEEKS_PCT)):
        rows += [(measure, "", y, v) for y, v in zip(YEARS_CALENDAR, values)]
    return pd.DataFrame(rows, columns=["measure", "breakdown", "year", "value"])
