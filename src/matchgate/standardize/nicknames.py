"""Common given-name short forms (Bob for Robert, Peggy for Margaret).

Two independent sources, neither of them the synthetic generator's table:

* the ``nicknames`` package (a hand-curated dataset of about 2,700 English name/nickname pairs);
* :data:`GROUPS` and :data:`MORE_GROUPS`, hand-kept lists written for matchgate: English
  diminutives the package lacks, and Spanish, Portuguese, Slavic (Russian, Ukrainian, Polish),
  Arabic and South Asian short forms, from general knowledge of naming customs.

How two names are found equivalent is in :func:`nickname_keys`.
"""

from __future__ import annotations

import functools
import itertools

from matchgate.standardize.names import compact, standardize_name

GROUPS: dict[str, tuple[str, ...]] = {
    "ABIGAIL": ("ABBY", "ABBIE", "GAIL"),
    "ALBERT": ("AL", "BERT", "BERTIE"),
    "ALBERTO": ("BETO", "TITO"),
    "ALEXANDER": ("ALEX", "SANDY", "XANDER", "SASHA", "ALEC"),
    "ALEXANDRA": ("ALEX", "SANDRA", "SANDY", "LEXI", "SASHA"),
    "ALFRED": ("AL", "ALFIE", "FRED", "FREDDIE"),
    "AMANDA": ("MANDY", "MANDI"),
    "ANDREW": ("ANDY", "DREW"),
    "ANGELA": ("ANGIE", "ANGEL"),
    "ANNE": ("ANNIE", "NANCY", "NAN", "ANN"),
    "ANTHONY": ("TONY",),
    "ANTONIA": ("TONI", "TOÑA"),
    "ANTONIO": ("TONY", "TONIO", "TOÑO"),
    "ARTHUR": ("ART", "ARTIE"),
    "BARBARA": ("BABS", "BARB", "BARBIE", "BABBIE"),
    "BENJAMIN": ("BEN", "BENNY", "BENJI"),
    "BEATRICE": ("BEA", "TRIXIE"),
    "CATHERINE": ("CATHY", "KATE", "KATIE", "KITTY", "CAT", "CASSIE"),
    "CHARLES": ("CHARLIE", "CHUCK", "CHAS", "CHAZ", "CHIP"),
    "CHRISTINA": ("CHRIS", "TINA", "CHRISSY", "KRISTY"),
    "CHRISTOPHER": ("CHRIS", "KIT", "TOPHER"),
    "CYNTHIA": ("CINDY", "CINDI"),
    "DANIEL": ("DAN", "DANNY"),
    "DAVID": ("DAVE", "DAVY"),
    "DEBORAH": ("DEBBIE", "DEB", "DEBBY", "DEBRA"),
    "DONALD": ("DON", "DONNIE"),
    "DOROTHY": ("DOT", "DOTTIE", "DOLLY", "DORY"),
    "EDWARD": ("ED", "EDDIE", "NED", "TED", "TEDDY"),
    "EDMUND": ("ED", "EDDIE", "NED"),
    "ELIZABETH": ("BETH", "BETTY", "LIZ", "LIZZIE", "ELIZA", "BETSY", "LIBBY", "ELSIE", "BESS"),
    "ELEANOR": ("ELLIE", "NELL", "NELLIE", "NORA"),
    "EUGENE": ("GENE",),
    "FERNANDO": ("NANDO", "FERNAN"),
    "FRANCES": ("FRAN", "FRANNIE", "FRANKIE"),
    "FRANCIS": ("FRANK", "FRANKIE"),
    "FRANCISCO": ("PACO", "PANCHO", "FRANK", "CISCO", "FRANCO", "CHICO"),
    "FREDERICK": ("FRED", "FREDDIE", "FRITZ", "RICK"),
    "GERALD": ("GERRY", "JERRY"),
    "GREGORY": ("GREG",),
    "GUADALUPE": ("LUPE", "LUPITA"),
    "GUILLERMO": ("MEMO", "GUILLE"),
    "HAROLD": ("HAL", "HARRY"),
    "HENRY": ("HANK", "HARRY", "HAL"),
    "IGNACIO": ("NACHO",),
    "ISABEL": ("BELLA", "ISA", "IZZY", "BELLE"),
    "JACOB": ("JAKE",),
    "JAMES": ("JIM", "JIMMY", "JAMIE", "JIMMIE"),
    "JANET": ("JAN",),
    "JENNIFER": ("JEN", "JENNY", "JENNIE"),
    "JESUS": ("CHUY", "CHUCHO"),
    "JOHN": ("JACK", "JOHNNY", "JON"),
    "JONATHAN": ("JON", "JONNY", "NATE"),
    "JOSE": ("PEPE", "CHEPE", "ZE", "CHEO"),
    "JOSEFINA": ("FINA", "PEPA", "JOSIE"),
    "JOSEPH": ("JOE", "JOEY", "JOS"),
    "KATHERINE": ("KATE", "KATHY", "KATIE", "KAT", "KAY", "KITTY"),
    "KATHLEEN": ("KATHY", "KATE", "KATIE"),
    "KENNETH": ("KEN", "KENNY"),
    "LAWRENCE": ("LARRY", "LAURIE"),
    "LEONARD": ("LEN", "LENNY", "LEO"),
    "MARGARET": ("MAGGIE", "PEGGY", "MEG", "MARGE", "MADGE", "GRETA", "PEG", "DAISY", "MOLLY"),
    "MARIA": ("MARI", "MARY"),
    "MARY": ("MOLLY", "POLLY", "MAMIE", "MAE", "MAY"),
    "MERCEDES": ("MECHE", "MERCHE"),
    "MATTHEW": ("MATT", "MATTY"),
    "MICHAEL": ("MIKE", "MICKEY", "MICK", "MIKEY"),
    "NATHANIEL": ("NATE", "NAT", "NATHAN"),
    "NICHOLAS": ("NICK", "NICKY", "COLE"),
    "PATRICIA": ("PAT", "PATTY", "TRISH", "TRICIA", "PATSY"),
    "PATRICK": ("PAT", "PADDY", "RICK"),
    "PETER": ("PETE",),
    "PHILIP": ("PHIL",),
    "RAYMOND": ("RAY",),
    "ROSARIO": ("CHARO", "CHAYO"),
    "REBECCA": ("BECKY", "BECCA", "BECKIE"),
    "RICHARD": ("RICK", "RICKY", "DICK", "RICH", "RICHIE"),
    "ROBERT": ("BOB", "BOBBY", "ROB", "ROBBIE", "BERT"),
    "ROBERTO": ("BETO", "TITO"),
    "RONALD": ("RON", "RONNIE"),
    "SAMUEL": ("SAM", "SAMMY"),
    "SARAH": ("SALLY", "SADIE", "SARA"),
    "STEPHEN": ("STEVE", "STEVIE"),
    "STEVEN": ("STEVE", "STEVIE"),
    "SUSAN": ("SUE", "SUSIE", "SUZY"),
    "TERESA": ("TERRY", "TESS", "TESSA", "TERE"),
    "THEODORE": ("TED", "TEDDY", "THEO"),
    "THOMAS": ("TOM", "TOMMY"),
    "TIMOTHY": ("TIM", "TIMMY"),
    "VICTORIA": ("VICKY", "VICKIE", "TORI"),
    "VIRGINIA": ("GINNY", "GINGER"),
    "WALTER": ("WALT", "WALLY"),
    "WILLIAM": ("BILL", "BILLY", "WILL", "WILLIE", "WILLY", "LIAM"),
    "ZACHARY": ("ZACH", "ZACK"),
}

MORE_GROUPS: dict[str, tuple[str, ...]] = {
    # Slavic
    "ALEKSANDR": ("SASHA", "SASHKA", "SANYA", "SHURA", "ALEK", "OLEK"),
    "ALEKSANDRA": ("SASHA", "SANYA", "SHURA", "OLA", "OLESIA"),
    "ALEKSEI": ("ALYOSHA", "LYOSHA", "LESHA"),
    "ANASTASIA": ("NASTYA", "NASTIA", "STASYA", "ASYA"),
    "ANDREI": ("ANDRYUSHA", "ANDRIY", "ANDRZEJ", "JEDREK"),
    "ANNA": ("ANYA", "ANIA", "ANKA", "ANECHKA", "HANIA", "HANKA"),
    "BOGDAN": ("BODYA", "BOGUS"),
    "DMITRI": ("DIMA", "MITYA", "DIMITRI", "DMITRY", "DMYTRO"),
    "EKATERINA": ("KATYA", "KATIA", "KATERINA", "KATKA"),
    "ELENA": ("LENA", "LENOCHKA", "ALENA", "OLENA", "YELENA"),
    "EVGENY": ("ZHENYA", "ZHENIA", "YEVGENY", "YEVHEN"),
    "GRZEGORZ": ("GRZES", "GRZESIEK", "GREG"),
    "IRINA": ("IRA", "IRKA", "IRINKA"),
    "IVAN": ("VANYA", "VANIA", "IVANKO"),
    "JAKUB": ("KUBA", "KUBUS"),
    "KATARZYNA": ("KASIA", "KASKA", "KATE"),
    "KONSTANTIN": ("KOSTYA", "KOSTIA"),
    "KRZYSZTOF": ("KRZYS", "KRZYSIEK", "CHRIS"),
    "LUDMILA": ("LYUDA", "MILA"),
    "MALGORZATA": ("GOSIA", "MALGOSIA", "MARGARET", "MAGDA"),
    "MARIA": ("MASHA", "MARUSYA", "MANYA", "MARYSIA", "MARYNA"),
    "MIKHAIL": ("MISHA", "MISHKA", "MICHAL", "MYKHAILO"),
    "NATALIA": ("NATASHA", "NATA", "TASHA", "NATALKA"),
    "NIKOLAI": ("KOLYA", "KOLIA", "MYKOLA", "MIKOLAJ"),
    "OLGA": ("OLYA", "OLIA", "OLENKA", "OLHA"),
    "PAVEL": ("PASHA", "PAVLO", "PAWEL", "PAVLIK"),
    "PIOTR": ("PIOTREK", "PIETREK", "PETR", "PETRO", "PETYA"),
    "SERGEI": ("SERYOZHA", "SEREZHA", "SERHIY", "SERGIY"),
    "SVETLANA": ("SVETA", "LANA"),
    "TATIANA": ("TANYA", "TANIA", "TATA"),
    "TOMASZ": ("TOMEK", "TOM"),
    "VLADIMIR": ("VOLODYA", "VOVA", "VLAD", "VOLODYMYR", "WLODZIMIERZ", "WLODEK"),
    "WOJCIECH": ("WOJTEK",),
    "YURI": ("YURA", "YURKO", "YURIY", "IURII"),
    "DARIUSZ": ("DAREK", "DARIUS"),
    "MAREK": ("MAREC", "MARECZEK"),
    "STANISLAW": ("STAS", "STASIEK", "STAN"),
    "ZBIGNIEW": ("ZBYSZEK", "ZBYCH"),
    "JAROSLAW": ("JAREK", "YAROSLAV", "SLAVA"),
    "MIROSLAW": ("MIREK", "MIROSLAV", "SLAVA"),
    "VIACHESLAV": ("SLAVA", "VYACHESLAV"),
    "AGNIESZKA": ("AGA", "AGNES", "AGUSIA"),
    "JOANNA": ("ASIA", "JOASIA"),
    "BARBARA": ("BASIA",),
    "ELZBIETA": ("ELA", "ELKA", "BETA"),
    "MAGDALENA": ("MAGDA", "MADZIA", "LENA"),
    "JADWIGA": ("JADZIA",),
    # Spanish and Portuguese additions
    "ALEJANDRO": ("ALEX", "ALE", "JANDRO"),
    "ALEJANDRA": ("ALE", "ALEX", "JANDRA"),
    "EDUARDO": ("LALO", "EDU"),
    "ENRIQUE": ("KIKE", "QUIQUE"),
    "JAVIER": ("JAVI",),
    "MANUEL": ("MANOLO", "MANNY", "MANU", "MANELO"),
    "RAFAEL": ("RAFA", "RAFI"),
    "RODRIGO": ("RIGO", "RODRI"),
    "DOLORES": ("LOLA", "LOLITA"),
    "CONCEPCION": ("CONCHA", "CONCHITA", "CONCHI"),
    "CONSUELO": ("CHELO",),
    "GUADALUPE": ("LUPE", "LUPITA", "LUPA"),
    "ISABEL": ("CHABELA", "ISA", "BELA"),
    "JOSE": ("PEPE", "CHEPE", "ZE", "CHEO", "PEPITO"),
    "JOAO": ("JOAOZINHO", "JANJAO"),
    "LUIS": ("LUCHO", "LUISITO"),
    "PEDRO": ("PERICO", "PEDRINHO"),
    "RAMON": ("MONCHO",),
    "SANTIAGO": ("SANTI", "CHAGO", "YAGO"),
    "SEBASTIAN": ("SEBAS", "SEBA", "CHANO"),
    "ANTONIO": ("TONHO", "TOTO", "TONIO"),
    "ANA": ("ANITA", "NANA"),
    "BEATRIZ": ("BEA", "BETI"),
    "CRISTINA": ("CRIS", "TINA"),
    "GABRIELA": ("GABI", "GABY"),
    "MARIANA": ("MARI", "MARIANITA"),
    "PATRICIA": ("PATI", "PATY"),
    "VICTORIA": ("VICKY", "TOYA"),
    # Arabic
    "ABDULLAH": ("ABDU", "ABDO", "ABOOD"),
    "ABDUL RAHMAN": ("ABDO", "ABDU", "RAHMAN"),
    "MOHAMMED": ("MO", "MOE", "HAMOODI", "HAMOUDI", "HAMADA", "MEHMET"),
    "MUSTAFA": ("MOUSTAFA", "MUSTAPHA"),
    "IBRAHIM": ("HEMA", "IBO", "ABRAHAM"),
    "YOUSSEF": ("JOE", "JOSEPH", "JOUJOU"),
    "KHALED": ("KHALOUD",),
    "FATIMA": ("FATMA", "TAMTAM", "FATOUM"),
    "AISHA": ("ASHA", "AYSHA"),
    "ALI": ("ALLOUSH",),
    "OMAR": ("OMI",),
    # South Asian
    "ABHISHEK": ("ABHI",),
    "VENKATESH": ("VENKAT",),
    "SRINIVAS": ("SRINI", "CHINNU"),
    "RAJESH": ("RAJU", "RAJ"),
    "RAJENDRA": ("RAJU", "RAJ"),
    "SURESH": ("SURI",),
    "KRISHNA": ("KRISH", "KITTU"),
    "GURPREET": ("GURI", "GARY"),
    "HARPREET": ("HARRY", "HARRIE"),
    "NARENDRA": ("NAREN",),
    "PRIYANKA": ("PRIYA", "PINKY"),
    "DEEPIKA": ("DEEPU", "DEEPS"),
    "LAKSHMI": ("LAXMI", "LUXMI"),
    "SUBRAMANIAN": ("SUBBU", "MANI"),
    "VIJAY": ("VIJ",),
}


def _sources() -> list[tuple[str, str]]:
    """(formal, short form) pairs from both sources, standardized."""
    import nicknames

    pairs = [
        (triplet.name1, triplet.name2)
        for triplet in nicknames.name_triplets()
        if triplet.relationship == "has_nickname"
    ]
    pairs += [
        (formal, short)
        for groups in (GROUPS, MORE_GROUPS)
        for formal, shorts in groups.items()
        for short in shorts
    ]
    out = []
    for formal, short in pairs:
        a, b = compact(standardize_name(formal)), compact(standardize_name(short))
        if a and b and a != b:
            out.append((a, b))
    return out


@functools.cache
def nickname_keys() -> dict[str, frozenset[str]]:
    """Each known name -> its nickname keys: itself and every name it is listed with (either
    way) that is at least as long. Two names are nicknames when their keys meet: directly listed
    (BILL, WILLIAM) or two short forms of one longer name (BOB, ROB via ROBERT). Keys do not chain
    through a shorter name, so ROBERT and WILLIAM, both listed with BILL, stay different."""
    neighbours: dict[str, set[str]] = {}
    for formal, short in _sources():
        neighbours.setdefault(formal, set()).add(short)
        neighbours.setdefault(short, set()).add(formal)
    return {
        name: frozenset({name} | {n for n in found if len(n) >= len(name)})
        for name, found in neighbours.items()
    }


@functools.cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """Every ordered pair of distinct compact names whose nickname keys meet."""
    by_key: dict[str, set[str]] = {}
    for name, keys in nickname_keys().items():
        for key in keys:
            by_key.setdefault(key, set()).add(name)
    pairs: set[tuple[str, str]] = set()
    for group in by_key.values():
        pairs.update(itertools.permutations(sorted(group), 2))
    return tuple(sorted(pairs))


@functools.cache
def _pair_set() -> frozenset[tuple[str, str]]:
    return frozenset(nickname_pairs())


def are_nicknames(a: str, b: str) -> bool:
    """Whether two standardized given names are short forms of each other."""
    return (a, b) in _pair_set()
