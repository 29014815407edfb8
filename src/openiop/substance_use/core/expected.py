"""The test panel and the expected-positive table: PROGRAM-EDITABLE CONFIGURATION.

Nothing here is a constant of the product. A program's medical director (or clinical lead)
checks these starting points against the program's own panel, its laboratory's assays and the
assays' package inserts, and edits them; the substance-use room will store the program's copy.
The defaults are written in our own words from public-domain sources:

- SAMHSA, TIP 63: "Medications for Opioid Use Disorder" (updated 2021) [TIP 63]: a person on
  buprenorphine or methadone tests positive for it; testing for the medication is part of care.
- SAMHSA, TAP 32: "Clinical Drug Testing in Primary Care" (2012) [TAP 32]: what screening
  immunoassays detect, which prescribed drugs explain a result, that immunoassays cross-react
  with some medications (presumptive results need confirmation before conclusions), and the
  detection windows.

Entries marked [?] are plausible but not verified against those texts; entries marked [S] are
widely cited in the clinical literature. Pharmacology facts (for example that methylphenidate
does not show as an amphetamine, or that selegiline is metabolised to l-methamphetamine) are
general knowledge; the assay's package insert is the authority for a given test.

Two tables:

- `EXPECTED_POSITIVES`: a recorded medication that *explains* a positive result for a panel
  substance. Such a result is shown as expected, never as use.
- `CROSS_REACTIONS`: a recorded medication that *may cause* a false presumptive (point-of-care
  or immunoassay) positive. Such a result is neither expected nor use: it is marked as a possible
  cross-reaction, for which a laboratory confirmation would tell. Confirmatory results (GC-MS or
  LC-MS/MS) identify the drug itself, so this table never applies to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from openiop.substance_use.core.medications import mentions, words_of

TIP_63 = "SAMHSA TIP 63, Medications for Opioid Use Disorder (public domain)"
TAP_32 = "SAMHSA TAP 32, Clinical Drug Testing in Primary Care, 2012 (public domain)"


class ConfigurationError(ValueError):
    """A panel or table that cannot be used; the message says why."""


# --- the panel -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSubstance:
    name: str  # as the chart shows it
    aliases: tuple[str, ...] = ()  # what labs and cups print (AMP, BZO, THC, ...)


@dataclass(frozen=True)
class Panel:
    substances: tuple[PanelSubstance, ...]
    _lookup: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for substance in self.substances:
            if not substance.name.strip():
                raise ConfigurationError("A panel substance needs a name.")
            for spelling in (substance.name, *substance.aliases):
                key = _key(spelling)
                if key in lookup and lookup[key] != substance.name:
                    raise ConfigurationError(
                        f"{spelling!r} names both {lookup[key]!r} and {substance.name!r}."
                    )
                lookup[key] = substance.name
        object.__setattr__(self, "_lookup", MappingProxyType(lookup))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.substances)

    def resolve(self, spelling: str) -> str | None:
        """The panel's name for what a lab or a cup printed, or None if it is not on the panel."""
        return self._lookup.get(_key(spelling))


def _key(text: str) -> str:
    return " ".join(words_of(text.replace("-", " "))) or text.strip().lower()


# A common 12-panel cup with MOUD and fentanyl, alcohol by breath and by EtG. Cup abbreviations
# vary by manufacturer [?]: add the program's own.
DEFAULT_PANEL = Panel(
    (
        PanelSubstance("alcohol (breath)", ("breath alcohol", "bac", "brac")),
        PanelSubstance("alcohol (EtG)", ("etg", "ethyl glucuronide", "ets", "ethyl sulfate")),
        PanelSubstance("amphetamines", ("amp", "amphetamine")),
        PanelSubstance("barbiturates", ("bar", "barbiturate")),
        PanelSubstance("benzodiazepines", ("bzo", "benzodiazepine", "benzos")),
        PanelSubstance("buprenorphine", ("bup", "norbuprenorphine")),
        PanelSubstance("cannabinoids (THC)", ("thc", "cannabinoids", "thc cooh", "marijuana")),
        PanelSubstance("cocaine", ("coc", "benzoylecgonine")),
        PanelSubstance("fentanyl", ("fyl", "fen", "norfentanyl")),
        PanelSubstance("MDMA", ("mdma", "ecstasy")),
        PanelSubstance("methadone", ("mtd", "eddp", "methadone metabolite")),
        PanelSubstance("methamphetamine", ("met", "mamp", "methamphetamines")),
        PanelSubstance("methylphenidate", ("mph", "ritalinic acid")),
        PanelSubstance("opiates", ("opi", "mop", "morphine", "opiate", "codeine")),
        PanelSubstance("oxycodone", ("oxy", "oxymorphone")),
        PanelSubstance("phencyclidine (PCP)", ("pcp", "phencyclidine")),
        PanelSubstance("tramadol", ("tml", "tra")),
        PanelSubstance("tricyclic antidepressants", ("tca", "tricyclics")),
        PanelSubstance("ketamine", ("ket",)),
    )
)


# --- expected positives ----------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedPositive:
    """Medications (generic and brand names, matched as whole words in the recorded name)
    whose use explains a positive result for the listed panel substances."""

    label: str  # "buprenorphine (MOUD and pain products)"
    medications: tuple[str, ...]
    substances: tuple[str, ...]
    source: str
    # A result can still show the medication for a while after the recorded stop date.
    days_after_stop: int = 7
    # Whether a negative result for the substance, while the medication is current, is worth
    # a neutral review (a daily MOUD that the test should find). False where immunoassays
    # detect the drug poorly or doses are taken as needed.
    note_if_not_detected: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not self.medications or not self.substances:
            raise ConfigurationError(f"{self.label}: name medications and substances.")
        if self.days_after_stop < 0:
            raise ConfigurationError(f"{self.label}: days after stop cannot be negative.")


@dataclass(frozen=True)
class CrossReaction:
    """A medication reported to cause false presumptive positives for these substances."""

    medication: str
    substances: tuple[str, ...]
    source: str
    days_after_stop: int = 3


EXPECTED_POSITIVES: tuple[ExpectedPositive, ...] = (
    ExpectedPositive(
        "buprenorphine (MOUD and pain products)",
        (
            "buprenorphine",
            "suboxone",
            "subutex",
            "zubsolv",
            "bunavail",
            "sublocade",
            "brixadi",
            "butrans",
            "belbuca",
            "buprenex",
        ),
        ("buprenorphine",),
        TIP_63,
        # Extended-release injections (Sublocade, Brixadi) last for weeks after the last dose [?].
        days_after_stop=30,
        note_if_not_detected=True,
        note="Buprenorphine does not usually show on the opiates screen [TAP 32].",
    ),
    ExpectedPositive(
        "methadone",
        ("methadone", "methadose", "dolophine", "diskets"),
        ("methadone",),
        TIP_63,
        days_after_stop=10,
        note_if_not_detected=True,
        note="Methadone does not show on the opiates screen; EDDP is its metabolite [TAP 32].",
    ),
    ExpectedPositive(
        "a prescribed benzodiazepine",
        (
            "alprazolam",
            "xanax",
            "chlordiazepoxide",
            "librium",
            "clobazam",
            "onfi",
            "clonazepam",
            "klonopin",
            "clorazepate",
            "tranxene",
            "diazepam",
            "valium",
            "lorazepam",
            "ativan",
            "midazolam",
            "oxazepam",
            "temazepam",
            "restoril",
        ),
        ("benzodiazepines",),
        TAP_32,
        # Long-acting benzodiazepines (diazepam, chlordiazepoxide) are found for weeks [S].
        days_after_stop=30,
        note="Immunoassays find some benzodiazepines (clonazepam, lorazepam) poorly, so a "
        "negative does not show the medication was not taken [TAP 32].",
    ),
    ExpectedPositive(
        "a prescribed opioid (morphine, codeine, hydrocodone, hydromorphone)",
        (
            "morphine",
            "ms contin",
            "kadian",
            "codeine",
            "tylenol with codeine",
            "hydrocodone",
            "vicodin",
            "norco",
            "lortab",
            "hysingla",
            "hydromorphone",
            "dilaudid",
            "exalgo",
        ),
        ("opiates",),
        TAP_32,
        days_after_stop=4,
    ),
    ExpectedPositive(
        "a prescribed oxycodone or oxymorphone",
        (
            "oxycodone",
            "oxycontin",
            "roxicodone",
            "percocet",
            "endocet",
            "xtampza",
            "oxymorphone",
            "opana",
        ),
        # The opiates screen may also react at high concentrations [S].
        ("oxycodone", "opiates"),
        TAP_32,
        days_after_stop=4,
    ),
    ExpectedPositive(
        "prescribed fentanyl",
        ("fentanyl", "duragesic", "actiq", "fentora", "abstral"),
        ("fentanyl",),
        TAP_32,
        days_after_stop=7,
    ),
    ExpectedPositive(
        "prescribed tramadol",
        ("tramadol", "ultram", "conzip"),
        ("tramadol",),
        TAP_32,
        days_after_stop=4,
    ),
    ExpectedPositive(
        "a prescribed amphetamine stimulant",
        (
            "amphetamine",
            "dextroamphetamine",
            "mixed amphetamine salts",
            "adderall",
            "mydayis",
            "evekeo",
            "adzenys",
            "dexedrine",
            "zenzedi",
            "lisdexamfetamine",
            "vyvanse",
        ),
        ("amphetamines",),
        TAP_32,
        days_after_stop=4,
    ),
    ExpectedPositive(
        "prescribed methamphetamine or selegiline",
        # Selegiline is metabolised to l-methamphetamine and l-amphetamine (pharmacology) [S].
        ("methamphetamine", "desoxyn", "selegiline", "eldepryl", "emsam", "zelapar"),
        ("methamphetamine", "amphetamines"),
        TAP_32,
        days_after_stop=4,
    ),
    ExpectedPositive(
        "prescribed methylphenidate",
        (
            "methylphenidate",
            "dexmethylphenidate",
            "ritalin",
            "concerta",
            "focalin",
            "metadate",
            "daytrana",
            "quillichew",
        ),
        ("methylphenidate",),
        TAP_32,
        days_after_stop=3,
        note="Methylphenidate does not show as an amphetamine; it needs its own assay.",
    ),
    ExpectedPositive(
        "a prescribed barbiturate",
        ("phenobarbital", "butalbital", "fioricet", "fiorinal", "primidone", "mysoline"),
        ("barbiturates",),
        TAP_32,
        days_after_stop=21,
    ),
    ExpectedPositive(
        "dronabinol or medical cannabis",
        ("dronabinol", "marinol", "syndros", "medical cannabis", "medical marijuana"),
        ("cannabinoids (THC)",),
        TAP_32,
        days_after_stop=30,
        note="Whether medical cannabis counts as expected is the program's decision [?].",
    ),
    ExpectedPositive(
        "a prescribed tricyclic antidepressant",
        (
            "amitriptyline",
            "elavil",
            "nortriptyline",
            "pamelor",
            "imipramine",
            "tofranil",
            "desipramine",
            "norpramin",
            "doxepin",
            "sinequan",
            "clomipramine",
            "anafranil",
        ),
        ("tricyclic antidepressants",),
        TAP_32,
        days_after_stop=7,
    ),
    ExpectedPositive(
        "ketamine or esketamine given in treatment",
        ("ketamine", "esketamine", "spravato"),
        ("ketamine",),
        TAP_32,
        days_after_stop=4,
    ),
)

_XR = f"{TAP_32}: immunoassays cross-react with some medications [S]"

CROSS_REACTIONS: tuple[CrossReaction, ...] = (
    # amphetamines
    CrossReaction("bupropion", ("amphetamines",), _XR),
    CrossReaction("wellbutrin", ("amphetamines",), _XR),
    CrossReaction("labetalol", ("amphetamines",), _XR),
    CrossReaction("pseudoephedrine", ("amphetamines", "methamphetamine"), _XR),
    CrossReaction("trazodone", ("amphetamines", "fentanyl"), _XR),
    CrossReaction("promethazine", ("amphetamines",), _XR),
    CrossReaction("ranitidine", ("amphetamines",), _XR),
    # benzodiazepines
    CrossReaction("sertraline", ("benzodiazepines",), _XR),
    CrossReaction("zoloft", ("benzodiazepines",), _XR),
    CrossReaction("efavirenz", ("benzodiazepines", "cannabinoids (THC)"), _XR),
    CrossReaction("oxaprozin", ("benzodiazepines",), _XR),
    # opiates
    CrossReaction("levofloxacin", ("opiates",), _XR),
    CrossReaction("ofloxacin", ("opiates",), _XR),
    CrossReaction("rifampin", ("opiates",), _XR),
    # methadone, tricyclics
    CrossReaction("quetiapine", ("methadone", "tricyclic antidepressants"), _XR),
    CrossReaction("seroquel", ("methadone", "tricyclic antidepressants"), _XR),
    CrossReaction("diphenhydramine", ("methadone", "phencyclidine (PCP)"), _XR),
    CrossReaction("doxylamine", ("methadone",), _XR),
    CrossReaction("verapamil", ("methadone",), _XR),
    CrossReaction("carbamazepine", ("tricyclic antidepressants",), _XR),
    CrossReaction("cyclobenzaprine", ("tricyclic antidepressants",), _XR),
    # phencyclidine
    CrossReaction("dextromethorphan", ("phencyclidine (PCP)",), _XR),
    CrossReaction("venlafaxine", ("phencyclidine (PCP)",), _XR),
    CrossReaction("lamotrigine", ("phencyclidine (PCP)",), _XR),
    CrossReaction("tramadol", ("phencyclidine (PCP)",), _XR),
    # cannabinoids
    CrossReaction("pantoprazole", ("cannabinoids (THC)",), _XR),
    # fentanyl [?]: reported with some fentanyl immunoassays
    CrossReaction("risperidone", ("fentanyl",), f"{_XR} [?]"),
)


@dataclass(frozen=True)
class ExpectedPositiveTable:
    """A program's panel and its two tables, checked against each other."""

    panel: Panel = DEFAULT_PANEL
    expected: tuple[ExpectedPositive, ...] = EXPECTED_POSITIVES
    cross_reactions: tuple[CrossReaction, ...] = CROSS_REACTIONS

    def __post_init__(self) -> None:
        names = set(self.panel.names)
        problems = []
        for rule in self.expected:
            missing = [s for s in rule.substances if s not in names]
            problems += [f"{rule.label}: {s!r} is not on the panel" for s in missing]
        for cross in self.cross_reactions:
            problems += [
                f"{cross.medication}: {s!r} is not on the panel"
                for s in cross.substances
                if s not in names
            ]
        if problems:
            raise ConfigurationError("; ".join(problems))

    def explaining(self, substance: str, medication_name: str) -> ExpectedPositive | None:
        for rule in self.expected:
            if substance in rule.substances and any(
                mentions(medication_name, term) for term in rule.medications
            ):
                return rule
        return None

    def cross_reacting(self, substance: str, medication_name: str) -> CrossReaction | None:
        for cross in self.cross_reactions:
            if substance in cross.substances and mentions(medication_name, cross.medication):
                return cross
        return None

    def rules_for(self, medication_names: Iterable[str]) -> Sequence[ExpectedPositive]:
        names = list(medication_names)
        return [
            rule
            for rule in self.expected
            if any(mentions(n, term) for n in names for term in rule.medications)
        ]


DEFAULT_TABLE = ExpectedPositiveTable()
