"""Synthetic spreadsheet rows for the import and de-duplication benchmarks (deterministic by seed).

Rows look like a researcher's list of Chinese spaces: a Chinese or English name, a city among
twenty prefectures, WGS-84 or GCJ-02 points near the city centre (some missing, some swapped,
some in degrees-minutes-seconds), a website, a founding date in one of the forms directories use
(year, Excel serial, ``2015年3月``, ``01/09/2014``) and, for one row in three, a Chinese address.
One row in twenty repeats an earlier space under a variant name (pinyin or English), a little
moved, so that de-duplication has true pairs to find.

    .venv/bin/python bench/synthetic_rows.py --rows 100000 --out /tmp/rows.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

CITIES = [
    ("深圳", "Shenzhen", "广东省深圳市南山区", 113.93, 22.53), ("上海", "Shanghai", "上海市黄浦区", 121.47, 31.23),
    ("北京", "Beijing", "北京市海淀区", 116.31, 39.96), ("广州", "Guangzhou", "广东省广州市天河区", 113.33, 23.13),
    ("杭州", "Hangzhou", "浙江省杭州市西湖区", 120.13, 30.26), ("成都", "Chengdu", "四川省成都市武侯区", 104.04, 30.64),
    ("武汉", "Wuhan", "湖北省武汉市洪山区", 114.34, 30.50), ("南京", "Nanjing", "江苏省南京市鼓楼区", 118.77, 32.07),
    ("西安", "Xi'an", "陕西省西安市雁塔区", 108.95, 34.22), ("重庆", "Chongqing", "重庆市渝中区", 106.57, 29.55),
    ("天津", "Tianjin", "天津市南开区", 117.15, 39.12), ("苏州", "Suzhou", "江苏省苏州市姑苏区", 120.62, 31.30),
    ("东莞", "Dongguan", "广东省东莞市", 113.75, 23.02), ("长沙", "Changsha", "湖南省长沙市岳麓区", 112.94, 28.23),
    ("郑州", "Zhengzhou", "河南省郑州市金水区", 113.66, 34.76), ("青岛", "Qingdao", "山东省青岛市市南区", 120.38, 36.07),
    ("厦门", "Xiamen", "福建省厦门市思明区", 118.09, 24.48), ("合肥", "Hefei", "安徽省合肥市蜀山区", 117.23, 31.82),
    ("昆明", "Kunming", "云南省昆明市五华区", 102.71, 25.04), ("沈阳", "Shenyang", "辽宁省沈阳市和平区", 123.43, 41.80),
]
# A few hundred characters and syllables, so that names are about as varied as in real lists.
HAN = ("柴火新车间造物源分流光明华强北天工开零空智创梦想未来极客星云端蓝海青橙金木水土山川河湖江风雷电雨雪花草树林"
       "春夏秋冬东南西中上下左右前后大小长短高低远近方圆红黄绿紫白黑龙凤虎鹤鹰鸿雁鹏鲸鹿马牛羊猫狗鱼鸟虫石玉珠宝"
       "文武德仁义礼信和平安康乐福寿喜庆祥瑞通达兴旺盛隆昌荣华富贵博雅诚实聚合联盟汇集众智慧启航远征拓展开拓")
SYLLABLES = sorted(set((
    "chai huo xin che jian zao wu yuan fen liu guang ming hua qiang bei tian gong kai ling kong zhi chuang meng "
    "xiang wei lai ji ke xing yun duan lan hai qing cheng jin mu shui tu shan chuan he hu jiang feng lei dian yu "
    "xue cao shu lin chun xia qiu dong nan xi zhong shang qian hou da xiao chang gao di fang hong huang lv "
    "zi bai hei long tai peng jing lu ma niu yang mao gou niao chong shi bao wen de ren yi li an kang le fu shou "
    "rui tong wang sheng rong gui bo ya ju lian hui qi hang tuo zhan").split()))
SUFFIX_ZH = ["创客空间", "众创空间", "实验室", "工坊", "孵化器", "创新中心"]
SUFFIX_EN = ["Makerspace", "Fab Lab", "Hackerspace", "Lab", "Incubator", "Maker Hub"]
KIND = {"创客空间": "创客空间", "众创空间": "创客空间", "实验室": "实验室", "工坊": "创客空间", "孵化器": "孵化器",
        "创新中心": "孵化器"}
HEADER = ["编号", "名称", "English name", "类型", "网站", "成立时间", "纬度", "经度", "地址", "城市"]

MAPPING = """source:
  key: bench-synthetic
  title: Synthetic spreadsheet rows (bench/synthetic_rows.py)
  licence: CC0-1.0
  redistributable: true
  crs: GCJ-02
id: 编号
kind_column: 类型
kinds: {创客空间: makerspace, 实验室: university_lab, 孵化器: incubator}
country: China
columns:
  name: 名称
  name_en: English name
  website: 网站
  founded: 成立时间
  lat: 纬度
  lng: 经度
  address: 地址
  city: 城市
"""


def _dms(value: float) -> str:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60)
    return f"{degrees} {minutes}'{min(seconds, 59)}\""


def synthetic_rows(count: int, *, seed: int = 1):
    rng = random.Random(seed)
    made = []
    for index in range(count):
        if made and rng.random() < 0.05:
            base = rng.choice(made)
            name, english, city, lng, lat, suffix = base
            lng, lat = lng + rng.uniform(-0.001, 0.001), lat + rng.uniform(-0.001, 0.001)
            shown = english if english and rng.random() < 0.5 else name
            english = ""
        else:
            city = rng.choice(CITIES)
            suffix = rng.choice(SUFFIX_ZH)
            name = "".join(rng.choice(HAN) for _ in range(rng.randint(2, 4))) + suffix
            english = (" ".join(rng.choice(SYLLABLES).capitalize() for _ in range(2)) + " "
                       + SUFFIX_EN[SUFFIX_ZH.index(suffix)]) if rng.random() < 0.6 else ""
            lng, lat = city[3] + rng.gauss(0, 0.08), city[4] + rng.gauss(0, 0.08)
            made.append((name, english, city, lng, lat, suffix))
            shown = name
        form = rng.random()
        founded = (str(rng.randint(2008, 2020)) if form < 0.3 else str(rng.randint(39448, 43800)) if form < 0.5
                   else f"{rng.randint(2010, 2020)}年{rng.randint(1, 12)}月" if form < 0.7
                   else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2010, 2020)}" if form < 0.8
                   else "")
        point = rng.random()
        if point < 0.1:
            lat_text = lng_text = ""
        elif point < 0.15:
            lat_text, lng_text = f"{lng:.6f}", f"{lat:.6f}"  # swapped
        elif point < 0.25:
            lat_text, lng_text = _dms(lat), _dms(lng)
        else:
            lat_text, lng_text = f"{lat:.6f}", f"{lng:.6f}"
        address = city[2] + f"示例路{rng.randint(1, 999)}号" if rng.random() < 0.33 else ""
        website = f"http://www.space{index}.example.cn" if rng.random() < 0.5 else ""
        yield [f"S{index}", shown, english, KIND[suffix], website, founded, lat_text, lng_text, address, city[0]]


def write(count: int, out: Path, *, seed: int = 1) -> tuple[Path, Path]:
    out = Path(out)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(synthetic_rows(count, seed=seed))
    mapping = out.with_suffix(".yaml")
    mapping.write_text(MAPPING, encoding="utf-8")
    return out, mapping


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/observatory-synthetic-rows.csv"))
    args = parser.parse_args()
    print(*write(args.rows, args.out, seed=args.seed))
