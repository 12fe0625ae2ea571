"""Small reference tables written by the tests, so the generator is tested on known data."""

from __future__ import annotations

import csv
from pathlib import Path

SURNAMES = {
    "anglo": ["Smith", "Johnson", "Williams", "Brown", "O'Brien", "McDonald", "Miller", "Davis",
              "Wilson", "Moore", "Taylor", "Anderson", "St. John", "Clark"],
    "hispanic": ["García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez",
                 "Sánchez", "Ramírez", "Torres", "De La Cruz", "Flores", "Rivera", "Gómez"],
    "chinese": ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"],
    "korean": ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"],
    "vietnamese": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"],
    "arabic": ["Al-Sayed", "Haddad", "Khoury", "Hassan", "Abdullah", "Mansour", "Nasser",
               "El-Amin", "Saleh", "Farah"],
    "south_asian": ["Patel", "Shah", "Singh", "Kumar", "Sharma", "Gupta", "Reddy", "Rao",
                    "Desai", "Mehta"],
    "slavic": ["Kowalski", "Nowak", "Wiśniewski", "Novak", "Ivanov", "Petrov", "Horvat",
               "Kovačević", "Popescu", "Lewandowski"],
    "portuguese": ["Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
                   "Martins", "da Silva", "Gonçalves"],
}  # fmt: skip

GIVEN = {
    ("anglo", "M"): ["James", "John", "Robert", "Michael", "William", "David", "Richard",
                     "Joseph", "Thomas", "Christopher", "Jayden", "Jaylen", "Jon", "Jonathan"],
    ("anglo", "F"): ["Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
                     "Jessica", "Sarah", "Karen", "Katherine", "Kathryn", "Ann", "Anne"],
    ("hispanic", "M"): ["José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Jorge", "Pedro"],
    ("hispanic", "F"): ["María", "Guadalupe", "Rosa", "Ana", "Carmen", "Sofía", "Lucía", "Elena"],
    ("chinese", "M"): ["Wei", "Jun", "Hao", "Lei", "Ming", "Jian", "Tao", "Yong"],
    ("chinese", "F"): ["Xiaoling", "Mei", "Fang", "Jing", "Li", "Yan", "Hui", "Xiu"],
    ("korean", "M"): ["Min-jun", "Seo-jun", "Ji-ho", "Hyun-woo", "Jae-won", "Sung-min"],
    ("korean", "F"): ["Seo-yeon", "Ji-woo", "Min-seo", "Soo-ah", "Ha-eun", "Ji-yeon"],
    ("vietnamese", "M"): ["Anh", "Minh", "Dũng", "Hùng", "Tuấn", "Quang", "Khoa", "Phúc"],
    ("vietnamese", "F"): ["Lan", "Linh", "Hương", "Trang", "Thảo", "Ngọc", "Mai", "Hà"],
    ("arabic", "M"): ["Mohammed", "Ahmed", "Ali", "Omar", "Youssef", "Khaled", "Hassan", "Karim"],
    ("arabic", "F"): ["Fatima", "Aisha", "Mariam", "Layla", "Noor", "Huda", "Rania", "Salma"],
    ("south_asian", "M"): ["Rahul", "Amit", "Raj", "Sanjay", "Vikram", "Arjun", "Ravi", "Anil"],
    ("south_asian", "F"): ["Priya", "Anjali", "Pooja", "Neha", "Sunita", "Kavya", "Divya", "Asha"],
    ("slavic", "M"): ["Piotr", "Jan", "Ivan", "Dmitri", "Tomasz", "Marek", "Aleksandr", "Pavel"],
    ("slavic", "F"): ["Anna", "Katarzyna", "Olga", "Natalia", "Maria", "Irina", "Agnieszka", "Ewa"],
    ("portuguese", "M"): ["João", "António", "Manuel", "Paulo", "Luís", "Rui", "Tiago", "Pedro"],
    ("portuguese", "F"): ["Maria", "Ana", "Joana", "Inês", "Beatriz", "Conceição", "Rita", "Sara"],
}  # fmt: skip

SYLLABLES = {
    "anglo": (["Ash", "Brad", "Cole", "Hart", "Wood"], ["ford", "ley", "ton", "well", "wick"]),
    "hispanic": (["Bel", "Car", "Mon", "Val", "Ver"], ["ada", "ales", "era", "ero", "illo"]),
    "arabic": (["Al-", "Abu ", "Bin", "Haj", "Nas"], ["Amin", "rawi", "dari", "Hakim", "fiq"]),
    "south_asian": (["Agar", "Bhat", "Chand", "Kapoor", "Mal"], ["wal", "ia", "ra", "ani", "kar"]),
    "slavic": (["Kowal", "Nowa", "Wojc", "Zielin", "Dabrow"],
               ["czyk", "ski", "owicz", "ek", "iak"]),
    "portuguese": (["Alme", "Bar", "Fig", "Mour", "Tei"], ["ida", "ros", "ueira", "ão", "xeira"]),
}  # fmt: skip

NICKNAMES = [("William", "Bill"), ("William", "Will"), ("Robert", "Bob"), ("Robert", "Rob"),
             ("Elizabeth", "Liz"), ("Elizabeth", "Beth"), ("Michael", "Mike"),
             ("Katherine", "Kate"), ("Jennifer", "Jen"), ("José", "Pepe"), ("James", "Jim"),
             ("Thomas", "Tom"), ("Richard", "Rick"), ("Joseph", "Joe"), ("Christopher", "Chris"),
             ("Patricia", "Pat"), ("Susan", "Sue"), ("Jonathan", "Jon"), ("John", "Jack"),
             ("David", "Dave"), ("Mary", "Molly"), ("Barbara", "Barb"), ("Aleksandr", "Sasha"),
             ("Guadalupe", "Lupe"), ("Jesús", "Chuy")]  # fmt: skip

TRANSLITERATIONS = [
    ("chinese", "zhou", "Zhou"), ("chinese", "zhou", "Chou"), ("chinese", "zhang", "Zhang"),
    ("chinese", "zhang", "Chang"), ("chinese", "chen", "Chen"), ("chinese", "chen", "Chan"),
    ("korean", "lee", "Lee"), ("korean", "lee", "Yi"), ("korean", "lee", "Rhee"),
    ("korean", "park", "Park"), ("korean", "park", "Pak"), ("korean", "choi", "Choi"),
    ("korean", "choi", "Choe"), ("arabic", "mohammed", "Mohammed"),
    ("arabic", "mohammed", "Muhammad"), ("arabic", "mohammed", "Mohamed"),
    ("arabic", "youssef", "Youssef"), ("arabic", "youssef", "Yusuf"),
    ("arabic", "hassan", "Hassan"),
    ("arabic", "hassan", "Hasan"), ("slavic", "ivan", "Ivanov"), ("slavic", "ivan", "Ivanoff"),
    ("slavic", "aleksandr", "Aleksandr"), ("slavic", "aleksandr", "Alexander"),
    ("slavic", "dmitri", "Dmitri"), ("slavic", "dmitri", "Dmitriy"),
    ("south_asian", "mohammed", "Mohammed"),
]  # fmt: skip

BIRTHPLACES = [
    ("anglo", "London", "", "GB", 3), ("anglo", "Toronto", "", "CA", 2),
    ("hispanic", "Guadalajara", "", "MX", 5), ("hispanic", "San Salvador", "", "SV", 2),
    ("hispanic", "Los Angeles", "CA", "US", 4), ("hispanic", "San Antonio", "TX", "US", 3),
    ("chinese", "Shanghai", "", "CN", 4), ("chinese", "Taipei", "", "TW", 2),
    ("korean", "Seoul", "", "KR", 5), ("vietnamese", "Hồ Chí Minh", "", "VN", 5),
    ("arabic", "Beirut", "", "LB", 2), ("arabic", "Cairo", "", "EG", 3),
    ("south_asian", "Mumbai", "", "IN", 4), ("south_asian", "Lahore", "", "PK", 2),
    ("slavic", "Kraków", "", "PL", 3), ("slavic", "Kyiv", "", "UA", 2),
    ("portuguese", "São Paulo", "", "BR", 4), ("portuguese", "Lisboa", "", "PT", 2),
]  # fmt: skip

PLACES = [
    ("New York", "NY", "100", 8), ("Los Angeles", "CA", "900", 4), ("Chicago", "IL", "606", 3),
    ("Houston", "TX", "770", 2), ("Phoenix", "AZ", "850", 2), ("Boston", "MA", "021", 1),
    ("Fall River", "MA", "027", 1), ("Dearborn", "MI", "481", 1), ("Edison", "NJ", "088", 1),
    ("Seattle", "WA", "981", 1), ("Miami", "FL", "331", 2), ("Denver", "CO", "802", 1),
]  # fmt: skip

STREETS = [("Main St", 5), ("Oak", 3), ("Maple Ave", 3), ("Washington", 2), ("Park", 2),
           ("Elm Street", 1), ("Sunset Blvd", 1), ("Martin Luther King Jr", 1)]  # fmt: skip


def _write(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_tables(folder: Path) -> Path:
    """Write every reference table into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(
        folder / "surnames.csv",
        ["origin", "surname", "weight"],
        [(o, s, 100 // (i + 1)) for o, names in SURNAMES.items() for i, s in enumerate(names)],
    )
    _write(
        folder / "given_names.csv",
        ["origin", "sex", "given_name", "weight"],
        [(o, sex, g, 50 // (i + 1)) for (o, sex), names in GIVEN.items()
         for i, g in enumerate(names)],
    )  # fmt: skip
    _write(
        folder / "surname_syllables.csv",
        ["origin", "part", "position", "weight"],
        [(o, p, pos, 1) for o, (starts, ends) in SYLLABLES.items()
         for pos, parts in (("start", starts), ("end", ends)) for p in parts],
    )  # fmt: skip
    _write(folder / "nicknames.csv", ["given_name", "nickname"], NICKNAMES)
    _write(folder / "transliterations.csv", ["origin", "group", "variant"], TRANSLITERATIONS)
    _write(
        folder / "birthplaces.csv",
        ["origin", "birth_city", "birth_state", "birth_country", "weight"],
        BIRTHPLACES,
    )
    _write(folder / "us_places.csv", ["city", "state", "zip3", "weight"], PLACES)
    _write(folder / "street_names.csv", ["street", "weight"], STREETS)
    return folder
