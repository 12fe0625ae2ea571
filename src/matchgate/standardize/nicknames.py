"""Common given-name short forms (Bob for Robert, Peggy for Margaret).

A small hand-kept list of English-language (and a few Spanish and Portuguese) diminutives that
share no prefix with the full name or are too far for a spelling comparison to notice; prefixes
(CHRIS for CHRISTOPHER) are caught by the name comparison already. Each group is a formal name
and its short forms; any two names in one group are nicknames of each other.
"""

from __future__ import annotations

import functools
import itertools

from matchgate.standardize.names import standardize_name

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


@functools.cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """Every ordered pair of distinct standardized names that share a group."""
    pairs: set[tuple[str, str]] = set()
    for formal, short in GROUPS.items():
        group = {standardize_name(name) for name in (formal, *short)}
        pairs.update(itertools.permutations(sorted(group), 2))
    return tuple(sorted(pairs))


@functools.cache
def _pair_set() -> frozenset[tuple[str, str]]:
    return frozenset(nickname_pairs())


def are_nicknames(a: str, b: str) -> bool:
    """Whether two standardized given names are short forms of each other."""
    return (a, b) in _pair_set()
