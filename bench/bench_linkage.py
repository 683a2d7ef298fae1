"""Record linkage at scale (issue 12, item 9): a synthetic household list (户籍) and student list
(学籍) with the errors real lists carry, linked by ChildFirst's engine and by a plain Splink model,
side by side, against the known truth. Prints figures; not a test.

    .venv/bin/python bench/bench_linkage.py                     # 20,000 children
    .venv/bin/python bench/bench_linkage.py --children 1000000  # the issue's target size
    .venv/bin/python bench/bench_linkage.py --train             # re-estimate the shipped model

Data (all synthetic, made here with a fixed seed): `--children` children aged 0–17 in 60 streets ×
12 communities, with valid invented ID numbers. The household list holds every child once (1 % with
no ID number, 1 % with a damaged one). The student list holds the school-age children (6–17) who
are in school (85 %, so ~15 % in none), ~3 % of them twice, and ~1 % students from elsewhere (no
household row), with: ID numbers missing (4 %), two digits transposed (1.5 %), a wrong check
character (1.5 %), full-width (2 %), spaces inside (2 %), lower-case x; names with a homophone
character (3 %), in traditional characters (3 %), with spaces (3 %), the given name cut short
(2 %); dates in every form (2015-03-04, 2015/3/4, 2015.3.4, 20150304, 2015年3月4日, Excel serial),
day and month swapped (1.5 %); sex as 男/女/1/2/M/F or missing; the school's street instead of the
home's (10 %).

Truth: each student row's household row (none for students from elsewhere). Scored: the `match`
decisions (a right row's best pair above the match threshold); a pair is right when it is the
truth. Each engine runs in a child process of its own, from the raw rows (strings, as read from a
file) to the links, so its wall time includes normalising and its peak RSS (getrusage of that
process) is its own.

Engines: `childfirst` — columns.prepare on both lists, then matching.link and decisions.
`plain` — what a user writes first: Splink with exact ID, Jaro-Winkler name, exact birth date,
sex and street on the raw values (stripped), blocking on ID and on birth date, trained by
random-sampling u and EM, links at probability ≥ 0.95. `--no-plain` skips it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import calibrated

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")

import django

django.setup()

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from childfirst.registry.children.idnumber import check_character  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞"
    "莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽"
    "希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽子轩涵宇浩然梓萱诗雨晨博文一诺俊熙睿泽辰浩天皓"
)
HOMOPHONES = {
    "伟": "玮", "玮": "伟", "婷": "亭", "亭": "婷", "丽": "莉", "莉": "丽", "杰": "洁", "洁": "杰",
    "明": "铭", "欣": "鑫", "涛": "韬", "娜": "纳", "芳": "方", "军": "君", "勇": "咏", "浩": "皓",
    "宇": "雨", "轩": "萱", "萱": "轩", "梓": "子", "子": "梓", "静": "晶", "晶": "静", "琳": "林",
    "雪": "学", "华": "桦", "敏": "闽", "俊": "骏", "睿": "瑞", "瑞": "睿",
}  # fmt: skip
TRADITIONAL = {
    "张": "張", "伟": "偉", "刘": "劉", "陈": "陳", "杨": "楊", "黄": "黃", "赵": "趙", "吴": "吳",
    "郑": "鄭", "丽": "麗", "华": "華", "军": "軍", "阳": "陽", "欧": "歐", "马": "馬", "龙": "龍",
    "红": "紅", "兰": "蘭", "云": "雲", "杰": "傑", "涛": "濤", "孙": "孫", "许": "許", "韩": "韓",
    "冯": "馮", "邓": "鄧", "叶": "葉", "苏": "蘇", "钟": "鍾", "谭": "譚", "陆": "陸", "顾": "顧",
    "龚": "龔", "钱": "錢", "严": "嚴", "汤": "湯", "萱": "萱", "凤": "鳳", "颖": "穎", "静": "靜",
    "玲": "玲", "荣": "榮", "爱": "愛", "莲": "蓮", "环": "環", "梦": "夢", "岚": "嵐", "韵": "韻",
    "园": "園", "艺": "藝", "馨": "馨", "悦": "悅", "飘": "飄", "霭": "靄", "晓": "曉", "欢": "歡",
    "枫": "楓", "寒": "寒", "宁": "寧", "诗": "詩", "轩": "軒", "浩": "浩", "宇": "宇", "博": "博",
    "文": "文", "俊": "俊", "睿": "睿", "泽": "澤", "辰": "辰",
}  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
TODAY = datetime.date(2026, 9, 1)
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _date_form(rng: random.Random, day: datetime.date) -> str:
    form = rng.randrange(7)
    if form == 0:
        return day.isoformat()
    if form == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if form == 2:
        return f"{day.year}.{day.month}.{day.day}"
    if form == 3:
        return day.strftime("%Y%m%d")
    if form == 4:
        return f"{day.year}年{day.month}月{day.day}日"
    if form == 5:
        return str((day - EXCEL_EPOCH).days)
    return day.strftime("%Y-%m-%d")


def _damage_id(rng: random.Random, number: str, kind: str) -> str:
    if kind == "transposed":
        i = rng.randrange(6, 16)
        if number[i] == number[i + 1]:
            i = (i + 2) % 16 or 6
        return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    if kind == "check":
        wrong = [c for c in "0123456789X" if c != number[17]]
        return number[:17] + rng.choice(wrong)
    if kind == "typo":
        i = rng.randrange(6, 17)
        return number[:i] + str((int(number[i]) + rng.randrange(1, 10)) % 10) + number[i + 1 :]
    if kind == "full_width":
        return number.translate(FULL_WIDTH)
    if kind == "spaces":
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    return number


def generate(children: int, seed: int = 12) -> tuple[pa.Table, pa.Table, dict[str, str]]:
    """(household rows, student rows, truth: student record id → household record id)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    streets = [f"{330302 + s // 20:06d}{s % 20 + 1:03d}" for s in range(60)]
    street_names = [f"第{s + 1}街道" for s in range(60)]
    hh: dict[str, list[object]] = {
        k: [] for k in ("record_id", "id_number", "name", "sex", "birth_date", "street", "community")
    }
    people = []
    seen_ids: set[str] = set()
    for n in range(children):
        birth = TODAY - datetime.timedelta(days=rng.randrange(1, 18 * 365))
        sex = rng.choice("MF")
        s = rng.randrange(60)
        while True:
            seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{streets[s][:6]}{birth:%Y%m%d}{seq:03d}"
            if first17 not in seen_ids:
                seen_ids.add(first17)
                break
        number = first17 + check_character(first17)
        surname = (
            rng.choice(COMPOUND)
            if rng.random() < 0.01
            else SURNAMES[min(int(rng.expovariate(1 / 25)), len(SURNAMES) - 1)]
        )
        given = "".join(rng.choice(GIVEN) for _ in range(1 if rng.random() < 0.3 else 2))
        community = f"第{rng.randrange(12) + 1}社区"
        people.append((number, surname, given, sex, birth, s, community))
        rid = f"H{n:07d}"
        kind = rng.random()
        hh["record_id"].append(rid)
        hh["id_number"].append(
            "" if kind < 0.01 else (_damage_id(rng, number, "transposed") if kind < 0.02 else number)
        )
        hh["name"].append(surname + given)
        hh["sex"].append("男" if sex == "M" else "女")
        hh["birth_date"].append(birth.isoformat())
        hh["street"].append(street_names[s])
        hh["community"].append(community)
    st: dict[str, list[object]] = {
        k: [] for k in ("record_id", "id_number", "name", "sex", "birth_date", "street", "community", "school")
    }
    truth: dict[str, str] = {}
    rows = []
    for n, person in enumerate(people):
        age = (TODAY - person[4]).days / 365.25
        if 6 <= age < 18 and rng.random() < 0.85:
            rows.append(n)
            if rng.random() < 0.03:
                rows.append(n)
    extra = int(len(rows) * 0.01)
    rng.shuffle(rows)
    rows += [-1] * extra
    for m, n in enumerate(rows):
        rid = f"S{m:07d}"
        if n < 0:  # a student from elsewhere: a person of their own
            birth = TODAY - datetime.timedelta(days=rng.randrange(6 * 365, 17 * 365))
            sex = rng.choice("MF")
            first17 = f"{rng.choice(['410102', '510104', '440305'])}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            person = (
                first17 + check_character(first17),
                rng.choice(SURNAMES),
                rng.choice(GIVEN) + rng.choice(GIVEN),
                sex,
                birth,
                rng.randrange(60),
                "",
            )
        else:
            person = people[n]
            truth[rid] = f"H{n:07d}"
        number, surname, given, sex, birth, s, community = person
        r = rng.random()
        if r < 0.04:
            shown_id = ""
        elif r < 0.055:
            shown_id = _damage_id(rng, number, "transposed")
        elif r < 0.07:
            shown_id = _damage_id(rng, number, "check")
        elif r < 0.09:
            shown_id = _damage_id(rng, number, "full_width")
        elif r < 0.11:
            shown_id = _damage_id(rng, number, "spaces")
        elif r < 0.12:
            shown_id = _damage_id(rng, number, "typo")
        else:
            shown_id = number.lower() if number.endswith("X") and rng.random() < 0.5 else number
        name_given = given
        r = rng.random()
        if r < 0.03:
            name_given = "".join(HOMOPHONES.get(c, c) for c in given)
        elif r < 0.05 and len(given) == 2:
            name_given = given[0]
        name = surname + name_given
        r = rng.random()
        if r < 0.03:
            name = "".join(TRADITIONAL.get(c, c) for c in name)
        elif r < 0.06:
            name = name[: len(surname)] + rng.choice([" ", "　", "\u00a0"]) + name[len(surname) :]
        shown_birth = birth
        if rng.random() < 0.015 and birth.day <= 12 and birth.day != birth.month:
            shown_birth = datetime.date(birth.year, birth.day, birth.month)
        r = rng.random()
        if r > 0.995:
            sex = "F" if sex == "M" else "M"
        shown_sex = "" if r < 0.02 else rng.choice({"M": ["男", "1", "M"], "F": ["女", "2", "F"]}[sex])
        street = s if rng.random() > 0.10 else rng.randrange(60)
        st["record_id"].append(rid)
        st["id_number"].append(shown_id)
        st["name"].append(name)
        st["sex"].append(shown_sex)
        st["birth_date"].append(_date_form(rng, shown_birth))
        st["street"].append(street_names[street])
        st["community"].append(community if street == s and rng.random() < 0.7 else "")
        st["school"].append(f"第{street + 1}街道第{rng.randrange(3) + 1}小学")
    return pa.table(hh), pa.table(st), truth


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_childfirst(left_path: str, right_path: str) -> tuple[float, float, list[tuple[str, str]], int]:
    from childfirst.linkage import columns, matching

    left_raw, right_raw = pq.read_table(left_path), pq.read_table(right_path)
    start = time.perf_counter()
    left, right = columns.prepare(left_raw, TODAY), columns.prepare(right_raw, TODAY)
    pairs = matching.link(left, right)
    links = [(p.right_id, p.left_id) for p, decision in matching.decisions(pairs) if decision == "match"]
    reviews = sum(1 for _p, decision in matching.decisions(pairs) if decision == "review")
    return time.perf_counter() - start, _peak_rss_mb(), links, reviews


def run_plain(left_path: str, right_path: str) -> tuple[float, float, list[tuple[str, str]], int]:
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    left_raw, right_raw = pq.read_table(left_path), pq.read_table(right_path)
    start = time.perf_counter()
    con = duckdb.connect()
    for name, table in (("l_raw", left_raw), ("r_raw", right_raw)):
        con.register(name + "_a", table)
        columns = """record_id AS unique_id, nullif(trim(id_number), '') AS id_number, trim(name) AS name,
            nullif(trim(birth_date), '') AS birth_date, nullif(trim(sex), '') AS sex,
            nullif(trim(street), '') AS street"""
        con.execute(f"CREATE TABLE {name} AS SELECT {columns} FROM {name}_a")  # noqa: S608 - this script's own names
    db_api = DuckDBAPI(con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("id_number"),
            cl.JaroWinklerAtThresholds("name", [0.9, 0.7]),
            cl.ExactMatch("birth_date"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("street"),
        ],
        blocking_rules_to_generate_predictions=[block_on("id_number"), block_on("birth_date")],
    )
    linker = Linker([db_api.register("l_raw"), db_api.register("r_raw")], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("id_number")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    predictions = linker.inference.predict(threshold_match_probability=0.95)
    rows = (
        predictions.as_duckdbpyrelation()
        .query(
            "p",
            """SELECT unique_id_r, arg_max(unique_id_l, match_probability) FROM p GROUP BY unique_id_r""",
        )
        .fetchall()
    )
    links = [(str(r), str(left_id)) for r, left_id in rows]
    return time.perf_counter() - start, _peak_rss_mb(), links, 0


def _child(engine: str, left: str, right: str, queue: object) -> None:
    result = (run_childfirst if engine == "childfirst" else run_plain)(left, right)
    queue.put(result)  # type: ignore[attr-defined]  # a multiprocessing queue


def score(links: list[tuple[str, str]], truth: dict[str, str]) -> tuple[float, float, float]:
    right = sum(1 for r, left in links if truth.get(r) == left)
    precision = right / len(links) if links else 0.0
    recall = right / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--no-plain", action="store_true", help="skip the plain Splink model")
    parser.add_argument("--train", action="store_true", help="re-estimate data/splink_model.json on this data")
    args = parser.parse_args()
    started = time.perf_counter()
    household, students, truth = generate(args.children)
    print(f"data: {household.num_rows:,} household rows, {students.num_rows:,} student rows, "
          f"{len(truth):,} true links; generated in {time.perf_counter() - started:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        left_path, right_path = f"{tmp}/household.parquet", f"{tmp}/students.parquet"
        pq.write_table(household, left_path)
        pq.write_table(students, right_path)
        if args.train:
            from childfirst.linkage import columns, matching

            left, right = columns.prepare(household, TODAY), columns.prepare(students, TODAY)
            matching.train(left, right)
            print(f"model written to {matching.MODEL_FILE}")
            return
        engines = ["childfirst"] + ([] if args.no_plain else ["plain"])
        context = get_context("spawn")
        print(
            f"{'engine':<12}{'seconds':>9}{'peak RSS MB':>13}{'links':>10}{'review':>8}"
            f"{'precision':>11}{'recall':>9}{'F1':>8}"
        )
        for engine in engines:
            queue = context.Queue()
            process = context.Process(target=_child, args=(engine, left_path, right_path, queue))
            process.start()
            seconds, rss, links, reviews = queue.get()
            process.join()
            precision, recall, f1 = score(links, truth)
            print(
                f"{engine:<12}{seconds:>9.1f}{rss:>13,.0f}{len(links):>10,}{reviews:>8,}{precision:>11.4f}{recall:>9.4f}{f1:>8.4f}"
            )


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        main()
