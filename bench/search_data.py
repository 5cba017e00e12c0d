"""A benchmark fixture for the agents' search (IN-2, IN-3): 2,000 hotels × 365 nights written
straight into intake's projection tables with COPY. ``python -m bench.search_data`` fills the
database at ``DATABASE_URL`` (migrated, empty); ``bench/search.py`` calls ``generate``.

Not the event path (that is ``bench/events.py``'s job): here only the shape of the data matters.
20 cities from 300 hotels down to 40, 6 districts each, names built from Chinese place words and
real brands (so pinyin and initials look like real ones), 3 room types × 2 rate plans per hotel,
allotments with some nights sold out, a sprinkle of restrictions, 3% of hotels without a signed
contract, 5% recommended each month, 5% without coordinates, and two busy weeks a year per city
when most nights are sold out (where IN-3's alternatives are needed most).
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

from services.intake.inventory.hotel_names import spellings
from shared.clock import clock

# city, hotels, centre (lat, lon), districts
CITIES = [
    ("Beijing", 300, (39.9042, 116.4074), "Dongcheng Xicheng Chaoyang Haidian Fengtai Shunyi"),
    ("Shanghai", 280, (31.2304, 121.4737), "Huangpu Jingan Xuhui Pudong Changning Hongkou"),
    ("Guangzhou", 180, (23.1291, 113.2644), "Tianhe Yuexiu Haizhu Liwan Baiyun Panyu"),
    ("Shenzhen", 170, (22.5431, 114.0579), "Futian Luohu Nanshan Baoan Longgang Yantian"),
    ("Chengdu", 120, (30.5728, 104.0668), "Jinjiang Qingyang Wuhou Chenghua Jinniu Gaoxin"),
    ("Hangzhou", 110, (30.2741, 120.1551), "Shangcheng Xihu Gongshu Binjiang Xiaoshan Yuhang"),
    ("Xian", 100, (34.3416, 108.9398), "Beilin Lianhu Xincheng Yanta Weiyang Baqiao"),
    ("Nanjing", 90, (32.0603, 118.7969), "Xuanwu Qinhuai Jianye Gulou Qixia Jiangning"),
    ("Wuhan", 80, (30.5928, 114.3055), "Jiangan Jianghan Wuchang Hongshan Hanyang Qiaokou"),
    ("Chongqing", 80, (29.5630, 106.5516), "Yuzhong Jiangbei Nanan Shapingba Jiulongpo Yubei"),
    ("Tianjin", 70, (39.3434, 117.3616), "Heping Hexi Nankai Hebei Hedong Binhai"),
    ("Suzhou", 60, (31.2990, 120.5853), "Gusu Wuzhong Xiangcheng Huqiu Wujiang Yuanqu"),
    ("Xiamen", 60, (24.4798, 118.0894), "Siming Huli Jimei Haicang Tongan Xiangan"),
    ("Qingdao", 50, (36.0671, 120.3826), "Shinan Shibei Laoshan Licang Chengyang Huangdao"),
    ("Dalian", 50, (38.9140, 121.6147), "Zhongshan Xigang Shahekou Ganjingzi Lushun Jinzhou"),
    ("Kunming", 40, (25.0389, 102.7183), "Wuhua Panlong Guandu Xishan Chenggong Dongchuan"),
    ("Sanya", 40, (18.2528, 109.5119), "Jiyang Tianya Haitang Yazhou Sanyawan Dadonghai"),
    ("Changsha", 40, (28.2282, 112.9388), "Furong Tianxin Yuelu Kaifu Yuhua Wangcheng"),
    ("Harbin", 40, (45.8038, 126.5350), "Daoli Nangang Daowai Xiangfang Pingfang Songbei"),
    ("Guilin", 40, (25.2736, 110.2900), "Xiufeng Diecai Xiangshan Qixing Yanshan Lingui"),
]
PLACES = (
    "王府井 国贸 金融街 三里屯 望京 中关村 前门 天坛 西湖 滨江 人民广场 外滩 陆家嘴 静安寺 "
    "火车站 机场 会展中心 世纪 东方 长安 友谊 和平 新世界 金茂 珠江 天河 华侨城 春熙路 "
    "钟楼 夫子庙 江汉路 解放碑 五大道 观前街 鼓浪屿 栈桥 星海 翠湖 亚龙湾 橘子洲 中央大街 漓江"
).split()
# Chinese brand, English brand, star grade
BRANDS = [
    ("希尔顿", "Hilton", 5),
    ("万豪", "Marriott", 5),
    ("香格里拉", "Shangri-La", 5),
    ("洲际", "InterContinental", 5),
    ("喜来登", "Sheraton", 5),
    ("皇冠假日", "Crowne Plaza", 4),
    ("假日", "Holiday Inn", 4),
    ("诺富特", "Novotel", 4),
    ("锦江", "Jinjiang", 4),
    ("维也纳", "Vienna", 3),
    ("全季", "JI Hotel", 3),
    ("亚朵", "Atour", 3),
    ("汉庭", "Hanting", 2),
    ("如家", "Home Inn", 2),
    ("七天", "7 Days Inn", 1),
]
SUFFIXES = ("酒店", "大酒店", "饭店", "宾馆")
ROOM_TYPES = (("Standard Twin", 1.0), ("Superior King", 1.25), ("Deluxe Suite", 1.9))
PLANS = (("Best available", "prepaid", 1.0), ("Pay at hotel", "pay_at_hotel", 1.05))
BASE_YUAN = {1: 160, 2: 240, 3: 420, 4: 720, 5: 1250}


@dataclass
class Fixture:
    """What the query generator needs to know about the generated data."""

    first_night: date
    nights: int
    cities: list[tuple[str, int]] = field(default_factory=list)  # (city, hotels)
    districts: dict[str, list[str]] = field(default_factory=dict)
    names: dict[str, list[tuple[str, str, str, str]]] = field(default_factory=dict)  # zh, en, …


@dataclass
class Rows:
    hotel: list[tuple[object, ...]] = field(default_factory=list)
    room_type: list[tuple[object, ...]] = field(default_factory=list)
    rate_plan: list[tuple[object, ...]] = field(default_factory=list)
    contract: list[tuple[object, ...]] = field(default_factory=list)
    recommended: list[tuple[object, ...]] = field(default_factory=list)
    conditions: list[tuple[object, ...]] = field(default_factory=list)


def _hotels(rng: random.Random, fixture: Fixture, at: datetime) -> tuple[Rows, list[tuple]]:
    """Hotel-level rows, and (hotel_id, room_type_id, plans, stars) for the nightly tables."""
    rows, rooms = Rows(), []
    last = fixture.first_night + timedelta(days=fixture.nights - 1)
    months = sorted(
        {
            (fixture.first_night + timedelta(days=d)).replace(day=1)
            for d in range(0, fixture.nights, 28)
        }
    )
    for city, count, (lat, lon), districts in CITIES:
        fixture.cities.append((city, count))
        fixture.districts[city] = districts.split()
        fixture.names[city] = []
        for n in range(count):
            hotel_id = uuid.uuid4()
            brand_zh, brand_en, stars = rng.choice(BRANDS)
            place = rng.choice(PLACES)
            name_zh = f"{place}{brand_zh}{rng.choice(SUFFIXES)}"
            name_en = f"{brand_en} {spellings(place).pinyin.title()}" + (
                f" {n}" if n % 7 == 0 else ""
            )
            spelled = spellings(name_zh)
            located = rng.random() > 0.05
            rows.hotel.append((
                hotel_id, name_zh, name_en, city, rng.choice(fixture.districts[city]), stars, "CNY",
                "fax", rng.random() > 0.01, at, spelled.pinyin, spelled.initials,
                lat + rng.uniform(-0.12, 0.12) if located else None,
                lon + rng.uniform(-0.12, 0.12) if located else None,
            ))  # fmt: skip
            fixture.names[city].append((name_zh, name_en, spelled.pinyin, spelled.initials))
            if rng.random() > 0.03:  # HR-3: the rest have no signed contract yet
                rows.contract.append(
                    (uuid.uuid4(), hotel_id, 1, fixture.first_night, last, "net_prepaid")
                )
            rows.recommended += [(hotel_id, m, city) for m in months if rng.random() < 0.05]
            if rng.random() < 0.1:
                rows.conditions.append((hotel_id, ["20 room nights a month for 8% commission"], at))
            for room_name, factor in ROOM_TYPES:
                room_type_id = uuid.uuid4()
                rows.room_type.append((room_type_id, hotel_id, room_name, True))
                plans = []
                for plan_name, mode, uplift in PLANS:
                    rate_plan_id = uuid.uuid4()
                    rows.rate_plan.append(
                        (rate_plan_id, hotel_id, room_type_id, plan_name, mode, True)
                    )
                    plans.append((rate_plan_id, factor * uplift))
                base = BASE_YUAN[stars] * rng.uniform(0.7, 1.3)
                rooms.append((hotel_id, room_type_id, plans, base, city, rng.randint(3, 15)))
    return rows, rooms


def _busy_weeks(rng: random.Random, fixture: Fixture) -> dict[str, set[date]]:
    """Two weeks a year per city when most hotels are full (a trade fair, a holiday: HR-7)."""
    busy = {}
    for city, *_ in CITIES:
        starts = rng.sample(range(fixture.nights - 7), 2)
        busy[city] = {fixture.first_night + timedelta(days=s + d) for s in starts for d in range(7)}
    return busy


def _nightly(
    rng: random.Random, fixture: Fixture, rooms: list[tuple], at: datetime
) -> Iterator[tuple[str, tuple]]:
    """Inventory, price and restriction rows, one room type at a time (never all in memory).
    A night is sold out 8% of the time, 60% in the city's busy weeks."""
    days = [fixture.first_night + timedelta(days=d) for d in range(fixture.nights)]
    busy = _busy_weeks(rng, fixture)
    for hotel_id, room_type_id, plans, base, city, usual in rooms:
        for night in days:
            allotment = max(1, usual + rng.randint(-2, 2))
            full = rng.random() < (0.6 if night in busy[city] else 0.08)
            sold = allotment if full else rng.randint(0, allotment - 1)
            yield "inventory_night", (room_type_id, night, hotel_id, allotment, sold, at)
            weekend = 1.15 if night.weekday() in (4, 5) else 1.0
            for rate_plan_id, factor in plans:
                sell = int(base * factor * weekend) * 100
                yield (
                    "rate_night",
                    (
                        rate_plan_id,
                        night,
                        room_type_id,
                        hotel_id,
                        sell * 85 // 100,
                        sell,
                        "CNY",
                        at,
                    ),
                )
            if (roll := rng.random()) < 0.03:
                yield "night_restriction", (
                    room_type_id, night, hotel_id, 0, 2 if roll < 0.01 else 1, roll < 0.015,
                    False, 0.015 <= roll < 0.025, "full" if roll >= 0.025 else "available", at,
                )  # fmt: skip


COLUMNS = {
    "hotel": ["hotel_id", "name_zh", "name_en", "city", "district", "star_grade", "currency",
              "confirm_channel", "sellable", "occurred_at", "name_pinyin", "name_initials",
              "latitude", "longitude"],
    "room_type": ["room_type_id", "hotel_id", "name", "active"],
    "rate_plan": ["rate_plan_id", "hotel_id", "room_type_id", "name", "payment_mode", "active"],
    "hotel_contract": ["contract_id", "hotel_id", "version_no", "valid_from", "valid_to",
                       "payment_arrangement"],
    "recommended_hotel": ["hotel_id", "month", "city"],
    "hotel_conditions": ["hotel_id", "summary", "occurred_at"],
    "inventory_night": ["room_type_id", "night", "hotel_id", "allotment", "sold", "occurred_at"],
    "rate_night": ["rate_plan_id", "night", "room_type_id", "hotel_id", "net_minor", "sell_minor",
                   "currency", "occurred_at"],
    "night_restriction": ["room_type_id", "night", "hotel_id", "release_days", "min_stay",
                          "closed_to_arrival", "closed_to_departure", "stop_sell", "room_status",
                          "occurred_at"],
}  # fmt: skip


async def _copy(conn: asyncpg.Connection, table: str, records: list[tuple]) -> None:
    if records:
        await conn.copy_records_to_table(
            table, records=records, columns=COLUMNS[table], schema_name="intake"
        )


async def generate(database_url: str, *, nights: int = 365, seed: int = 7) -> Fixture:
    """Fill intake's projection (empty before) and ANALYZE it; returns what queries need."""
    rng = random.Random(seed)
    fixture = Fixture(first_night=clock.today(), nights=nights)
    at = datetime.now(UTC)
    rows, rooms = _hotels(rng, fixture, at)
    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        for table, records in (
            ("hotel", rows.hotel), ("room_type", rows.room_type), ("rate_plan", rows.rate_plan),
            ("hotel_contract", rows.contract), ("recommended_hotel", rows.recommended),
            ("hotel_conditions", rows.conditions),
        ):  # fmt: skip
            await _copy(conn, table, records)
        batches: dict[str, list[tuple]] = {
            t: [] for t in ("inventory_night", "rate_night", "night_restriction")
        }
        for table, record in _nightly(rng, fixture, rooms, at):
            batches[table].append(record)
            if len(batches[table]) >= 200_000:
                await _copy(conn, table, batches[table])
                batches[table].clear()
        for table, records in batches.items():
            await _copy(conn, table, records)
        await conn.execute("ANALYZE intake.hotel, intake.room_type, intake.rate_plan, "
                           "intake.inventory_night, intake.rate_night, intake.night_restriction, "
                           "intake.hotel_contract, intake.recommended_hotel")  # fmt: skip
    finally:
        await conn.close()
    return fixture


if __name__ == "__main__":
    done = asyncio.run(generate(os.environ["DATABASE_URL"]))
    print(f"{sum(c for _, c in done.cities)} hotels × {done.nights} nights from {done.first_night}")
