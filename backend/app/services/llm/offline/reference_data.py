"""Small, sourced reference tables the offline model can build files from.

Population: United Nations, Department of Economic and Social Affairs,
Population Division (2022). World Population Prospects 2022, medium-variant
estimates for 1 July 2023 (total population, both sexes), as published at
https://population.un.org/wpp/ . The 30 most populous countries.
"""

from __future__ import annotations

POPULATION_SOURCE = (
    "UN DESA Population Division, World Population Prospects 2022 "
    "(medium variant, 1 July 2023)"
)
POPULATION_YEAR = 2023

# (country, population on 1 July 2023), most populous first.
POPULATION_2023: list[tuple[str, int]] = [
    ("India", 1_428_627_663),
    ("China", 1_425_671_352),
    ("United States", 339_996_563),
    ("Indonesia", 277_534_122),
    ("Pakistan", 240_485_658),
    ("Nigeria", 223_804_632),
    ("Brazil", 216_422_446),
    ("Bangladesh", 172_954_319),
    ("Russia", 144_444_359),
    ("Mexico", 128_455_567),
    ("Ethiopia", 126_527_060),
    ("Japan", 123_294_513),
    ("Philippines", 117_337_368),
    ("Egypt", 112_716_598),
    ("DR Congo", 102_262_808),
    ("Vietnam", 98_858_950),
    ("Iran", 89_172_767),
    ("Turkey", 85_816_199),
    ("Germany", 83_294_633),
    ("Thailand", 71_801_279),
    ("United Kingdom", 67_736_802),
    ("Tanzania", 67_438_106),
    ("France", 64_756_584),
    ("South Africa", 60_414_495),
    ("Italy", 58_870_762),
    ("Kenya", 55_100_586),
    ("Myanmar", 54_577_997),
    ("Colombia", 52_085_168),
    ("South Korea", 51_784_059),
    ("Uganda", 48_582_334),
]
