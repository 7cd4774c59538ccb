#!/usr/bin/env python3
"""Generate seqtrans's small bundled English-Chinese corpus.

Writes data/corpus.tsv (training pairs) and data/dev.tsv (held-out pairs), one pair per
line, `English<TAB>Chinese`, UTF-8, no header.

Every pair is original work of the seqtrans project. Two sources:
  * sentence templates (the `@template` functions below) that combine hand-written
    lexicons -- subjects, verbs, nouns with their Chinese measure words, adjectives,
    places, activities, times, numbers -- with grammar handled on both sides (English
    articles, plurals, third-person -s, irregular past; Chinese measure words, 了/过/在/会,
    吗 questions, 不/没 negation);
  * a list of fully hand-written pairs (HAND, at the end of this file) for variety.

Python 3, standard library only, no network, deterministic: the same script always
writes the same files. Usage: python3 scripts/make_corpus.py [--out DIR]
"""
import argparse
import os
import random
import sys

SEED = 20240611
DEV_TARGET = 100           # total held-out pairs
SCALE = 0.6                # multiplies every template's quota (the numbers in @template)
MAX_WORDS = 10             # longest generated English sentence, in words

# --------------------------------------------------------------------------------------
# English helpers


def cap(s):
    return s[0].upper() + s[1:]


def a_an(phrase):
    w = phrase.split()[0].lower()
    if w.startswith(('uni', 'use', 'eu', 'one')):
        return 'a ' + phrase
    if w in ('hour', 'honest'):
        return 'an ' + phrase
    return ('an ' if w[0] in 'aeiou' else 'a ') + phrase


# --------------------------------------------------------------------------------------
# Subjects and objects (people)

class P:
    """A person or group: subject and object forms in both languages."""

    def __init__(self, en, zh, num, obj=None, poss=None, pzh=None, ident=None,
                 kind='np', fam_zh=None):
        self.en = en            # subject form
        self.zh = zh
        self.num = num          # '1s' (I), '2' (you), '3s', 'p' (plural)
        self.obj = obj or en    # object form: me, him, Tom
        self.poss = poss or (en + "'s")   # my, his, Tom's
        self.pzh = pzh or (zh + '的')     # 我的, 他的, 汤姆的
        self.ident = ident or en          # who it is (to avoid "I know me")
        self.kind = kind                  # 'pron', 'name', 'np'
        self.fam_zh = fam_zh if fam_zh is not None else self.pzh  # before family words

    # verb agreement
    def own(self):
        """Possessive referring back to this subject: I -> my, Tom -> his, they -> their."""
        if self.kind == 'pron':
            return self.poss
        if self.num == 'p':
            return 'their'
        female = {e for e, _ in FEMALE_NAMES} | {'my mother', 'my sister', 'your mother',
                                                 'your sister'}
        return 'her' if self.en in female else 'his'

    def be(self):
        return {'1s': 'am', '3s': 'is'}.get(self.num, 'are')

    def was(self):
        return 'was' if self.num in ('1s', '3s') else 'were'

    def do(self):
        return 'does' if self.num == '3s' else 'do'

    def dont(self):
        return "doesn't" if self.num == '3s' else "don't"

    def have(self):
        return 'has' if self.num == '3s' else 'have'

    def v(self, base, third):
        return third if self.num == '3s' else base


PRONOUNS = [
    P('I', '我', '1s', 'me', 'my', '我的', 'I', 'pron', '我'),
    P('you', '你', '2', 'you', 'your', '你的', 'you', 'pron', '你'),
    P('he', '他', '3s', 'him', 'his', '他的', 'he', 'pron', '他'),
    P('she', '她', '3s', 'her', 'her', '她的', 'she', 'pron', '她'),
    P('we', '我们', 'p', 'us', 'our', '我们的', 'we', 'pron', '我们'),
    P('they', '他们', 'p', 'them', 'their', '他们的', 'they', 'pron', '他们'),
]
MALE_NAMES = [('Tom', '汤姆'), ('John', '约翰'), ('Jack', '杰克'), ('David', '大卫')]
FEMALE_NAMES = [('Mary', '玛丽'), ('Lucy', '露西'), ('Anna', '安娜'), ('Linda', '琳达')]
NAMES = [P(e, z, '3s', kind='name') for e, z in MALE_NAMES + FEMALE_NAMES]
NPS = [
    P('my mother', '我妈妈', '3s', pzh='我妈妈的'),
    P('my father', '我爸爸', '3s', pzh='我爸爸的'),
    P('my brother', '我哥哥', '3s', pzh='我哥哥的'),
    P('my sister', '我姐姐', '3s', pzh='我姐姐的'),
    P('my friend', '我的朋友', '3s', pzh='我朋友的'),
    P('the teacher', '老师', '3s', pzh='老师的'),
    P('my parents', '我父母', 'p', pzh='我父母的', poss="my parents'"),
    P('the children', '孩子们', 'p', pzh='孩子们的', poss="the children's"),
    P('the students', '学生们', 'p', pzh='学生们的', poss="the students'"),
    P('Tom and Mary', '汤姆和玛丽', 'p', pzh='汤姆和玛丽的', poss="Tom and Mary's"),
]
OBJ_PEOPLE = [p for p in PRONOUNS] + NAMES[:6] + [NPS[0], NPS[1], NPS[4], NPS[5]]
# in questions one asks about "your mother", not "my mother"
Q_NPS = [
    P('your mother', '你妈妈', '3s', pzh='你妈妈的'),
    P('your father', '你爸爸', '3s', pzh='你爸爸的'),
    P('your brother', '你哥哥', '3s', pzh='你哥哥的'),
    P('your sister', '你姐姐', '3s', pzh='你姐姐的'),
    P('your friend', '你的朋友', '3s', pzh='你朋友的'),
    P('the teacher', '老师', '3s', pzh='老师的'),
    P('your parents', '你父母', 'p', pzh='你父母的', poss="your parents'"),
    P('the children', '孩子们', 'p', pzh='孩子们的', poss="the children's"),
    P('the students', '学生们', 'p', pzh='学生们的', poss="the students'"),
    P('Tom and Mary', '汤姆和玛丽', 'p', pzh='汤姆和玛丽的', poss="Tom and Mary's"),
]


def q(s):
    """The subject as asked about in a question: my mother -> your mother; None for I/we."""
    if s.en in ('I', 'we'):
        return None
    if s in NPS:
        return Q_NPS[NPS.index(s)]
    return s


def subject(rng, pron=0.55, names=0.25, allow_i=True):
    r = rng.random()
    if r < pron:
        # allow_i=False: for questions, where "Do I ...?" / "Do we ...?" sound odd
        pool = [p for p in PRONOUNS if allow_i or p.en not in ('I', 'we')]
    elif r < pron + names:
        pool = NAMES
    else:
        pool = NPS if allow_i else Q_NPS
    return rng.choice(pool)


SAME = {frozenset(('I', 'we')), frozenset(('I', 'I')), frozenset(('we', 'we'))}


def different(a, b):
    """True when a and b are clearly different people (no "I know me")."""
    if a.ident == b.ident:
        return False
    if frozenset((a.ident, b.ident)) in SAME:
        return False
    if a.ident == 'Tom and Mary' and b.ident in ('Tom', 'Mary'):
        return False
    if b.ident == 'Tom and Mary' and a.ident in ('Tom', 'Mary'):
        return False
    return True


# --------------------------------------------------------------------------------------
# Adjectives: key -> (English, Chinese predicate (after 很/不/太), Chinese attributive,
#                      English comparative)

ADJ = {
    'big': ('big', '大', '大', 'bigger'),
    'small': ('small', '小', '小', 'smaller'),
    'new': ('new', '新', '新', 'newer'),
    'old': ('old', '旧', '旧', 'older'),
    'old_a': ('old', '老', '老', None),
    'good': ('good', '好', '好', None),
    'beautiful': ('beautiful', '漂亮', '漂亮的', 'more beautiful'),
    'expensive': ('expensive', '贵', None, 'more expensive'),
    'cheap': ('cheap', '便宜', None, 'cheaper'),
    'interesting': ('interesting', '有意思', '有意思的', 'more interesting'),
    'boring': ('boring', '无聊', None, None),
    'delicious': ('delicious', '好吃', '好吃的', None),
    'delicious_d': ('delicious', '好喝', None, None),
    'sweet': ('sweet', '甜', None, 'sweeter'),
    'fresh': ('fresh', '新鲜', '新鲜的', None),
    'hot_d': ('hot', '烫', None, None),
    'cold_d': ('cold', '凉', None, None),
    'cute': ('cute', '可爱', '可爱的', None),
    'fast': ('fast', '快', None, 'faster'),
    'slow': ('slow', '慢', None, 'slower'),
    'clean': ('clean', '干净', '干净的', 'cleaner'),
    'dirty': ('dirty', '脏', None, None),
    'heavy': ('heavy', '重', None, 'heavier'),
    'long': ('long', '长', '长', 'longer'),
    'short': ('short', '短', '短', 'shorter'),
    'tall': ('tall', '高', None, 'taller'),
    'quiet': ('quiet', '安静', '安静的', 'quieter'),
    'far': ('far', '远', None, None),
    'fat': ('fat', '胖', '胖', 'fatter'),
    'comfortable': ('comfortable', '舒服', '舒服的', 'more comfortable'),
    'warm': ('warm', '暖和', '暖和的', 'warmer'),
    'red': ('red', None, '红色的', None),
    'black': ('black', None, '黑色的', None),
    'white': ('white', None, '白色的', None),
    'blue': ('blue', None, '蓝色的', None),
    'green': ('green', None, '绿色的', None),
}


def neg(zh_adj):
    """Negated predicate adjective: 贵 -> 不贵, but 有意思 -> 没意思."""
    return '没' + zh_adj[1:] if zh_adj.startswith('有') else '不' + zh_adj


def pred_adjs(keys):
    return [k for k in keys if ADJ[k][1]]


def attr_adjs(keys):
    return [k for k in keys if ADJ[k][2]]


# --------------------------------------------------------------------------------------
# Nouns

class N:
    def __init__(self, en, pl, zh, m, kind, adjs='', mass=False, cont=None, plonly=False,
                 gen=None, price=None):
        self.en = en            # singular (or the mass noun)
        self.pl = pl            # plural
        self.zh = zh
        self.m = m              # measure word
        self.kind = kind
        self.adjs = adjs.split()
        self.mass = mass
        self.cont = cont        # mass nouns: (container, containers, measure) e.g. cup of tea
        self.plonly = plonly    # grammatically plural mass noun: noodles
        self.gen_en = gen or (en if mass else pl)   # generic: "I like cats / tea"
        self.price = price      # (lo, hi) yuan, or None

    def be(self):
        return 'are' if self.plonly else 'is'

    def countable(self):
        return not self.mass

    def indef(self, adj=None, some=False):
        """a big dog / 一只大狗; a cup of tea / 一杯茶; some bread / 一些面包"""
        if self.mass:
            if self.cont and not some:
                return a_an(f'{self.cont[0]} of {self.en}'), f'一{self.cont[2]}{self.zh}'
            return f'some {self.en}', f'一些{self.zh}'
        if adj:
            a = ADJ[adj]
            return a_an(f'{a[0]} {self.en}'), f'一{self.m}{a[2]}{self.zh}'
        return a_an(self.en), f'一{self.m}{self.zh}'

    def num(self, k, adj=None):
        if self.mass:
            return f'{k} {self.cont[1]} of {self.en}', f'{k}{self.cont[2]}{self.zh}'
        if adj:
            a = ADJ[adj]
            return f'{k} {a[0]} {self.pl}', f'{k}{self.m}{a[2]}{self.zh}'
        return f'{k} {self.pl}', f'{k}{self.m}{self.zh}'

    def numerable(self):
        return not self.mass or self.cont is not None

    def dem(self, near=True):
        """this book / 这本书; this coffee / 这杯咖啡"""
        w, z = ('this', '这') if near else ('that', '那')
        if self.mass:
            return f'{w} {self.en}', f'{z}{self.cont[2]}{self.zh}'
        return f'{w} {self.en}', f'{z}{self.m}{self.zh}'

    def demable(self):
        return (not self.mass) or (self.cont is not None and not self.plonly)


NOUNS = [
    # fruit
    N('apple', 'apples', '苹果', '个', 'fruit', 'big small sweet fresh red green', price=(2, 10)),
    N('banana', 'bananas', '香蕉', '根', 'fruit', 'big small sweet fresh', price=(1, 5)),
    N('orange', 'oranges', '橙子', '个', 'fruit', 'big small sweet fresh', price=(2, 8)),
    N('pear', 'pears', '梨', '个', 'fruit', 'big small sweet fresh', price=(2, 8)),
    N('watermelon', 'watermelons', '西瓜', '个', 'fruit', 'big small sweet', price=(10, 40)),
    # food
    N('egg', 'eggs', '鸡蛋', '个', 'food', 'big small fresh', price=(1, 3)),
    N('cake', 'cakes', '蛋糕', '个', 'food', 'big small sweet delicious', price=(20, 200)),
    N('sandwich', 'sandwiches', '三明治', '个', 'food', 'big small delicious', price=(10, 30)),
    N('hamburger', 'hamburgers', '汉堡', '个', 'food', 'big small delicious', price=(10, 40)),
    N('cookie', 'cookies', '饼干', '块', 'food', 'sweet delicious', price=(2, 10)),
    N('rice', None, '米饭', None, 'food', 'delicious', mass=True, cont=('bowl', 'bowls', '碗')),
    N('noodles', None, '面条', None, 'food', 'delicious', mass=True,
      cont=('bowl', 'bowls', '碗'), plonly=True),
    N('bread', None, '面包', None, 'food', 'fresh delicious', mass=True,
      cont=('piece', 'pieces', '块')),
    N('soup', None, '汤', None, 'food', 'delicious hot_d', mass=True,
      cont=('bowl', 'bowls', '碗')),
    N('meat', None, '肉', None, 'food', 'fresh', mass=True),
    N('chicken', None, '鸡肉', None, 'food', 'delicious', mass=True),
    N('fruit', None, '水果', None, 'food', 'fresh', mass=True),
    N('vegetables', None, '蔬菜', None, 'food', 'fresh', mass=True, plonly=True),
    N('chocolate', None, '巧克力', None, 'food', 'sweet delicious', mass=True,
      cont=('piece', 'pieces', '块')),
    N('ice cream', None, '冰淇淋', None, 'food', 'sweet delicious', mass=True),
    N('dumplings', None, '饺子', None, 'food', 'delicious', mass=True,
      cont=('plate', 'plates', '盘'), plonly=True),
    # drinks
    N('water', None, '水', None, 'drink', 'cold_d hot_d', mass=True, cont=('glass', 'glasses', '杯')),
    N('tea', None, '茶', None, 'drink', 'hot_d delicious_d', mass=True, cont=('cup', 'cups', '杯')),
    N('coffee', None, '咖啡', None, 'drink', 'hot_d cold_d delicious_d', mass=True,
      cont=('cup', 'cups', '杯')),
    N('milk', None, '牛奶', None, 'drink', 'hot_d cold_d fresh', mass=True,
      cont=('glass', 'glasses', '杯')),
    N('juice', None, '果汁', None, 'drink', 'sweet cold_d delicious_d', mass=True,
      cont=('glass', 'glasses', '杯')),
    N('beer', None, '啤酒', None, 'drink', 'cold_d', mass=True, cont=('bottle', 'bottles', '瓶')),
    # animals
    N('cat', 'cats', '猫', '只', 'animal', 'cute big small fat white black'),
    N('dog', 'dogs', '狗', '只', 'animal', 'cute big small fat old_a white black'),
    N('bird', 'birds', '鸟', '只', 'animal', 'small beautiful'),
    N('fish', 'fish', '鱼', '条', 'animal', 'big small beautiful'),
    N('rabbit', 'rabbits', '兔子', '只', 'animal', 'cute small white'),
    N('horse', 'horses', '马', '匹', 'animal', 'big fast white black'),
    N('panda', 'pandas', '熊猫', '只', 'animal', 'cute big fat'),
    N('tiger', 'tigers', '老虎', '只', 'animal', 'big'),
    N('elephant', 'elephants', '大象', '头', 'animal', 'big'),
    N('monkey', 'monkeys', '猴子', '只', 'animal', 'cute small'),
    N('duck', 'ducks', '鸭子', '只', 'animal', 'small white'),
    N('cow', 'cows', '牛', '头', 'animal', 'big'),
    N('sheep', 'sheep', '羊', '只', 'animal', 'white'),
    # things
    N('book', 'books', '书', '本', 'book', 'interesting boring new old heavy expensive cheap good',
      price=(20, 90)),
    N('dictionary', 'dictionaries', '词典', '本', 'book', 'new old heavy expensive good',
      price=(30, 120)),
    N('magazine', 'magazines', '杂志', '本', 'book', 'interesting new old', price=(10, 30)),
    N('newspaper', 'newspapers', '报纸', '份', 'book', '', price=(1, 5)),
    N('pen', 'pens', '笔', '支', 'thing', 'new expensive cheap good red blue black',
      price=(2, 20)),
    N('pencil', 'pencils', '铅笔', '支', 'thing', 'new long short', price=(1, 5)),
    N('bag', 'bags', '包', '个', 'thing', 'new old big small heavy expensive beautiful black red',
      price=(50, 500)),
    N('phone', 'phones', '手机', '部', 'thing', 'new old expensive cheap good',
      price=(800, 5000)),
    N('computer', 'computers', '电脑', '台', 'thing', 'new old expensive cheap fast slow heavy',
      price=(2000, 9000)),
    N('umbrella', 'umbrellas', '伞', '把', 'thing', 'new big small black', price=(20, 80)),
    N('key', 'keys', '钥匙', '把', 'thing', 'new small'),
    N('chair', 'chairs', '椅子', '把', 'thing', 'comfortable new old big small', price=(50, 400)),
    N('table', 'tables', '桌子', '张', 'thing', 'big small new old clean', price=(200, 1500)),
    N('bed', 'beds', '床', '张', 'thing', 'big small comfortable new', price=(500, 3000)),
    N('cup', 'cups', '杯子', '个', 'thing', 'clean dirty big small beautiful', price=(5, 40)),
    N('watch', 'watches', '手表', '块', 'thing', 'new expensive beautiful', price=(100, 2000)),
    N('camera', 'cameras', '相机', '台', 'thing', 'new old expensive', price=(1000, 6000)),
    N('ball', 'balls', '球', '个', 'thing', 'big small new red', price=(10, 100)),
    N('box', 'boxes', '盒子', '个', 'thing', 'big small heavy'),
    N('photo', 'photos', '照片', '张', 'thing', 'beautiful old'),
    N('map', 'maps', '地图', '张', 'thing', 'new big', price=(5, 20)),
    N('ticket', 'tickets', '票', '张', 'thing', 'expensive cheap', price=(10, 300)),
    N('letter', 'letters', '信', '封', 'writing', 'long short'),
    N('email', 'emails', '邮件', '封', 'writing', 'long short'),
    N('story', 'stories', '故事', '个', 'writing', 'interesting boring long short'),
    N('TV', 'TVs', '电视', '台', 'thing', 'big new old', price=(1000, 5000)),
    N('house', 'houses', '房子', '座', 'house', 'big small new old beautiful expensive'),
    N('room', 'rooms', '房间', '个', 'house', 'big small clean dirty quiet'),
    N('flower', 'flowers', '花', '朵', 'flower', 'beautiful red white', price=(5, 20)),
    N('tree', 'trees', '树', '棵', 'plant', 'tall big small'),
    # vehicles
    N('car', 'cars', '车', '辆', 'vehicle', 'new old fast expensive cheap big small red black white'),
    N('bike', 'bikes', '自行车', '辆', 'vehicle', 'new old cheap expensive red blue',
      price=(200, 1500)),
    # clothes
    N('shirt', 'shirts', '衬衫', '件', 'clothes', 'new clean dirty beautiful expensive white',
      price=(50, 300)),
    N('dress', 'dresses', '裙子', '条', 'clothes', 'beautiful long short new expensive red',
      price=(100, 800)),
    N('coat', 'coats', '外套', '件', 'clothes', 'new warm expensive black', price=(200, 1000)),
    N('hat', 'hats', '帽子', '顶', 'clothes', 'new big small beautiful red black', price=(30, 200)),
    N('pair of shoes', 'pairs of shoes', '鞋', '双', 'clothes',
      'new comfortable expensive cheap black white', gen='shoes', price=(100, 900)),
    # people (as nouns)
    N('man', 'men', '男人', '个', 'person', 'tall old_a'),
    N('woman', 'women', '女人', '个', 'person', 'tall beautiful'),
    N('boy', 'boys', '男孩', '个', 'person', 'tall'),
    N('girl', 'girls', '女孩', '个', 'person', 'tall beautiful'),
    N('child', 'children', '孩子', '个', 'person', 'cute'),
    N('student', 'students', '学生', '个', 'person', ''),
    N('person', 'people', '人', '个', 'person', ''),
]
NOUN = {n.en: n for n in NOUNS}


def nouns(*kinds, countable=None):
    out = [n for n in NOUNS if n.kind in kinds]
    if countable is True:
        out = [n for n in out if not n.mass]
    elif countable is False:
        out = [n for n in out if n.mass]
    return out


LIKEABLE = (nouns('fruit', 'food', 'drink', 'animal', 'flower')
            + [NOUN[k] for k in ('book', 'magazine', 'story', 'car', 'dress', 'hat')])
OWNABLE = nouns('thing', 'book', 'vehicle', 'clothes', 'animal', 'house')
OWNABLE = [n for n in OWNABLE if n.en not in ('tiger', 'elephant', 'panda', 'monkey', 'cow',
                                              'sheep', 'duck', 'photo', 'ticket', 'room',
                                              'newspaper')]
BUYABLE = [n for n in nouns('thing', 'book', 'vehicle', 'clothes', 'fruit', 'food', 'flower')
           if n.en not in ('photo', 'key', 'meat', 'chicken', 'rice', 'soup')]
NEEDABLE = [NOUN[k] for k in ('pen', 'pencil', 'bag', 'phone', 'computer', 'umbrella', 'map',
                              'ticket', 'dictionary', 'chair', 'coat', 'key', 'box', 'car',
                              'bike', 'water', 'milk', 'bread', 'pair of shoes', 'hat')]

# --------------------------------------------------------------------------------------
# Places: key -> English "to" form, "at" form, subject form, Chinese, kind

class Place:
    def __init__(self, to, at, the, zh, kind, zh_in=None, adjs=''):
        self.to, self.at, self.the, self.zh, self.kind = to, at, the, zh, kind
        self.zh_in = zh_in or zh     # 在公园里
        self.adjs = adjs.split()


PLACES = [
    Place('to school', 'at school', 'the school', '学校', 'local', adjs='big small new beautiful'),
    Place('to the park', 'in the park', 'the park', '公园', 'local', '公园里',
          adjs='big small beautiful clean quiet far'),
    Place('to the store', 'at the store', 'the store', '商店', 'local', adjs='big small new far'),
    Place('to the supermarket', 'at the supermarket', 'the supermarket', '超市', 'local',
          adjs='big small new far clean'),
    Place('to the hospital', 'at the hospital', 'the hospital', '医院', 'local',
          adjs='big small new far clean quiet'),
    Place('to the library', 'at the library', 'the library', '图书馆', 'local',
          adjs='big small new quiet far'),
    Place('to the station', 'at the station', 'the station', '车站', 'local',
          adjs='big small new far'),
    Place('to the bank', 'at the bank', 'the bank', '银行', 'local', adjs='far'),
    Place('to the zoo', 'at the zoo', 'the zoo', '动物园', 'local', adjs='big small far'),
    Place('to the restaurant', 'at the restaurant', 'the restaurant', '餐厅', 'local',
          adjs='big small new expensive cheap far quiet'),
    Place('to the museum', 'at the museum', 'the museum', '博物馆', 'local',
          adjs='big small new far quiet'),
    Place('to the airport', 'at the airport', 'the airport', '机场', 'local', adjs='big new far'),
    Place('to the post office', 'at the post office', 'the post office', '邮局', 'local',
          adjs='far'),
    Place('to the beach', 'at the beach', 'the beach', '海边', 'local', adjs='beautiful far'),
    Place('to the cinema', 'at the cinema', 'the cinema', '电影院', 'local', adjs='big new far'),
    Place('to the office', 'at the office', 'the office', '办公室', 'local',
          adjs='big small clean quiet'),
    Place('to Beijing', 'in Beijing', 'Beijing', '北京', 'city', adjs='big beautiful'),
    Place('to Shanghai', 'in Shanghai', 'Shanghai', '上海', 'city', adjs='big beautiful'),
    Place('to Hong Kong', 'in Hong Kong', 'Hong Kong', '香港', 'city', adjs='big beautiful'),
    Place('to London', 'in London', 'London', '伦敦', 'city', adjs='big beautiful'),
    Place('to Paris', 'in Paris', 'Paris', '巴黎', 'city', adjs='big beautiful'),
    Place('to Tokyo', 'in Tokyo', 'Tokyo', '东京', 'city', adjs='big beautiful'),
    Place('to New York', 'in New York', 'New York', '纽约', 'city', adjs='big beautiful'),
    Place('to China', 'in China', 'China', '中国', 'country', adjs='big beautiful'),
    Place('to Japan', 'in Japan', 'Japan', '日本', 'country', adjs='beautiful'),
    Place('to France', 'in France', 'France', '法国', 'country', adjs='beautiful'),
    Place('to Canada', 'in Canada', 'Canada', '加拿大', 'country', adjs='big beautiful'),
]
LOCAL = [p for p in PLACES if p.kind == 'local']
FUN_PLACES = ('the park', 'the zoo', 'the restaurant', 'the museum', 'the beach', 'the cinema')
CITIES = [p for p in PLACES if p.kind == 'city']
FARAWAY = [p for p in PLACES if p.kind in ('city', 'country')]
HOME = Place('home', 'at home', 'home', '家', 'home')
WORKPLACES = [('a bank', '银行'), ('a hospital', '医院'), ('a school', '学校'),
              ('a restaurant', '餐厅'), ('a store', '商店'), ('a library', '图书馆'),
              ('a museum', '博物馆'), ('a hotel', '酒店'), ('a factory', '工厂')]

# --------------------------------------------------------------------------------------
# Activities (verb phrases without an object slot)
# fields: base, third person, past, gerund (after like), progressive (-ing), Chinese, flags
# flags: L like, C can, N progressive, E every day, P past, W will, T want to, S let's


class Act:
    def __init__(self, base, third, past, ger, ing, zh, flags):
        self.base, self.third, self.past, self.ger, self.ing = base, third, past, ger, ing
        self.zh, self.flags = zh, flags


ACTS = [
    Act('swim', 'swims', 'swam', 'swimming', 'swimming', '游泳', 'LCNEPWTS'),
    Act('dance', 'dances', 'danced', 'dancing', 'dancing', '跳舞', 'LCNPWTS'),
    Act('sing', 'sings', 'sang', 'singing', 'singing', '唱歌', 'LCNEPWTS'),
    Act('cook', 'cooks', 'cooked', 'cooking', 'cooking', '做饭', 'LCNEPW'),
    Act('run', 'runs', 'ran', 'running', 'running', '跑步', 'LNEPWTS'),
    Act('read', 'reads', 'read', 'reading', 'reading', '读书', 'LNEW'),
    Act('study', 'studies', 'studied', 'studying', 'studying', '学习', 'LNEPW'),
    Act('work', 'works', 'worked', 'working', 'working', '工作', 'NEPW'),
    Act('sleep', 'sleeps', 'slept', 'sleeping', 'sleeping', '睡觉', 'NT'),
    Act('play football', 'plays football', 'played football', 'playing football',
        'playing football', '踢足球', 'LCNEPWTS'),
    Act('play basketball', 'plays basketball', 'played basketball', 'playing basketball',
        'playing basketball', '打篮球', 'LCNEPWTS'),
    Act('play tennis', 'plays tennis', 'played tennis', 'playing tennis', 'playing tennis',
        '打网球', 'LCNPWTS'),
    Act('play the piano', 'plays the piano', 'played the piano', 'playing the piano',
        'playing the piano', '弹钢琴', 'LCNEPW'),
    Act('play the guitar', 'plays the guitar', 'played the guitar', 'playing the guitar',
        'playing the guitar', '弹吉他', 'LCNPW'),
    Act('play games', 'plays games', 'played games', 'playing games', 'playing games',
        '玩游戏', 'LNEPWTS'),
    Act('watch TV', 'watches TV', 'watched TV', 'watching TV', 'watching TV', '看电视',
        'LNEPWTS'),
    Act('watch a movie', 'watches a movie', 'watched a movie', 'watching movies',
        'watching a movie', '看电影', 'LNPWTS'),
    Act('listen to music', 'listens to music', 'listened to music', 'listening to music',
        'listening to music', '听音乐', 'LNEPWTS'),
    Act('draw', 'draws', 'drew', 'drawing', 'drawing', '画画', 'LCNPW'),
    Act('drive', 'drives', 'drove', 'driving', 'driving', '开车', 'LCN'),
    Act('ride a bike', 'rides a bike', 'rode a bike', 'riding a bike', 'riding a bike',
        '骑自行车', 'LCNEPWT'),
    Act('take a walk', 'takes a walk', 'took a walk', 'taking walks', 'taking a walk', '散步',
        'LEPWTS'),
    Act('clean the room', 'cleans the room', 'cleaned the room', 'cleaning the room',
        'cleaning the room', '打扫房间', 'NPW'),
    Act('do {poss} homework', 'does {poss} homework', 'did {poss} homework', None,
        'doing {poss} homework', '做作业', 'NEPW'),
    Act('wash the dishes', 'washes the dishes', 'washed the dishes', None,
        'washing the dishes', '洗碗', 'NPW'),
    Act('take photos', 'takes photos', 'took photos', 'taking photos', 'taking photos', '拍照',
        'LNPWT'),
]


def acts(flag):
    return [a for a in ACTS if flag in a.flags]


GROWN_UPS = ('my mother', 'my father', 'my parents', 'the teacher', 'your mother',
             'your father', 'your parents')


def act_ok(subj, a):
    return not ('homework' in a.base and subj.en in GROWN_UPS)


def fill(s, subj):
    """'do {poss} homework' -> 'do his homework' (the subject's own possessive)."""
    return s.replace('{poss}', subj.own())


LANGS = [('Chinese', '中文'), ('English', '英语'), ('Japanese', '日语'), ('French', '法语'),
         ('German', '德语'), ('Spanish', '西班牙语')]
JOBS = [('teacher', 'teachers', '老师'), ('doctor', 'doctors', '医生'),
        ('nurse', 'nurses', '护士'), ('student', 'students', '学生'),
        ('driver', 'drivers', '司机'), ('cook', 'cooks', '厨师'),
        ('police officer', 'police officers', '警察'), ('engineer', 'engineers', '工程师'),
        ('lawyer', 'lawyers', '律师'), ('farmer', 'farmers', '农民'),
        ('writer', 'writers', '作家'), ('singer', 'singers', '歌手')]
# person adjectives: English, Chinese, usable in negation/questions
PADJ = [('happy', '高兴', True), ('sad', '难过', True), ('busy', '忙', True),
        ('tired', '累', True), ('hungry', '饿', True), ('thirsty', '渴', True),
        ('tall', '高', True), ('short', '矮', True), ('young', '年轻', True),
        ('smart', '聪明', True), ('angry', '生气', False), ('cold', '冷', True),
        ('hot', '热', True), ('nervous', '紧张', True), ('friendly', '友好', True)]
PERMANENT = ('tall', 'short', 'young', 'smart', 'friendly')   # not "... today"/"... now"
PCOMP = [('taller', '高'), ('shorter', '矮'), ('older', '大'), ('younger', '小'),
         ('busier', '忙')]
PAST_T = [('yesterday', '昨天'), ('last night', '昨晚'), ('this morning', '今天早上'),
          ('last week', '上个星期')]
FUT_T = [('tomorrow', '明天'), ('tonight', '今晚'), ('next week', '下个星期'),
         ('on Sunday', '星期天'), ('this weekend', '这个周末')]
EVERY_T = [('every day', '每天'), ('every morning', '每天早上'), ('every evening', '每天晚上'),
           ('every weekend', '每个周末')]
DAYS = [('Monday', '星期一'), ('Tuesday', '星期二'), ('Wednesday', '星期三'),
        ('Thursday', '星期四'), ('Friday', '星期五'), ('Saturday', '星期六'),
        ('Sunday', '星期天')]
TRANSPORT = [('by bus', '坐公交车', 'local'), ('by subway', '坐地铁', 'local'),
             ('by taxi', '坐出租车', 'local'), ('by bike', '骑自行车', 'local'),
             ('by car', '开车', 'local'), ('by train', '坐火车', 'far'),
             ('by plane', '坐飞机', 'far')]
FAMILY = [('mother', '妈妈'), ('father', '爸爸'), ('brother', '哥哥'), ('sister', '姐姐'),
          ('grandmother', '奶奶'), ('grandfather', '爷爷'), ('son', '儿子'),
          ('daughter', '女儿'), ('wife', '妻子'), ('husband', '丈夫')]
# where things are: English, Chinese, nouns that fit there
LOCS = [
    ('on the table', '桌子上', 'book pen pencil phone cup key bag watch camera dictionary '
     'newspaper magazine map ticket apple orange banana cake cat photo box'),
    ('under the table', '桌子下面', 'cat dog ball box bag pen key'),
    ('under the bed', '床下面', 'cat dog ball box book'),
    ('in the box', '盒子里', 'pen pencil key photo ball apple cookie ticket'),
    ('in the bag', '包里', 'book pen pencil phone key apple dictionary ticket umbrella map'),
    ('in the room', '房间里', 'chair table bed TV computer cat dog man woman child student'),
    ('in the park', '公园里', 'tree flower bird dog man woman child'),
    ('in the garden', '花园里', 'flower tree bird cat rabbit'),
    ('in the river', '河里', 'fish duck'),
    ('on the farm', '农场上', 'cow sheep horse duck'),
]
SEE_LOCS = [
    ('at the zoo', '在动物园', 'panda tiger elephant monkey bird'),
    ('in the park', '在公园里', 'bird dog duck man woman child'),
    ('in the garden', '在花园里', 'bird cat rabbit'),
    ('in the river', '在河里', 'fish duck'),
    ('on the farm', '在农场上', 'cow sheep horse duck'),
    ('on the street', '在街上', 'dog cat man woman child car'),
    ('at the station', '在车站', 'man woman child student'),
]

# --------------------------------------------------------------------------------------
# Templates. Each returns one random (English, Chinese) pair, or None to try again.

TEMPLATES = []


def template(quota):
    def deco(f):
        TEMPLATES.append((f.__name__, quota, f))
        return f
    return deco


def pick_num(rng, lo=2, hi=9):
    return rng.randint(lo, hi)


# things one rarely has many of
FEW = {'table', 'bed', 'TV', 'computer', 'car', 'house', 'camera', 'phone', 'watch', 'horse',
       'umbrella', 'bike', 'coat', 'dictionary', 'watermelon', 'cow', 'elephant', 'tiger'}


def count_for(rng, n, lo=2, hi=12):
    return rng.randint(lo, min(hi, 3) if n.en in FEW else hi)


# ---- like / dislike

@template(80)
def t_like(r):
    s, n = subject(r), r.choice(LIKEABLE)
    return f"{s.en} {s.v('like', 'likes')} {n.gen_en}.", f'{s.zh}喜欢{n.zh}。'


@template(45)
def t_like_very(r):
    s, n = subject(r), r.choice(LIKEABLE)
    return f"{s.en} really {s.v('like', 'likes')} {n.gen_en}.", f'{s.zh}非常喜欢{n.zh}。'


@template(55)
def t_dislike(r):
    s, n = subject(r), r.choice(LIKEABLE)
    return f"{s.en} {s.dont()} like {n.gen_en}.", f'{s.zh}不喜欢{n.zh}。'


@template(55)
def t_like_q(r):
    s, n = subject(r, allow_i=False), r.choice(LIKEABLE)
    return f"{s.do()} {s.en} like {n.gen_en}?", f'{s.zh}喜欢{n.zh}吗？'


@template(45)
def t_like_act(r):
    s, a = subject(r), r.choice(acts('L'))
    if not act_ok(s, a):
        return None
    return f"{s.en} {s.v('like', 'likes')} {a.ger}.", f'{s.zh}喜欢{a.zh}。'


@template(30)
def t_dislike_act(r):
    s, a = subject(r), r.choice(acts('L'))
    if not act_ok(s, a):
        return None
    return f"{s.en} {s.dont()} like {a.ger}.", f'{s.zh}不喜欢{a.zh}。'


@template(30)
def t_like_act_q(r):
    s, a = subject(r, allow_i=False), r.choice(acts('L'))
    if not act_ok(s, a):
        return None
    return f"{s.do()} {s.en} like {a.ger}?", f'{s.zh}喜欢{a.zh}吗？'


@template(25)
def t_what_like(r):
    s = subject(r, allow_i=False)
    if r.random() < 0.5:
        return f"what {s.do()} {s.en} like?", f'{s.zh}喜欢什么？'
    return f"what {s.do()} {s.en} like to do?", f'{s.zh}喜欢做什么？'


# ---- want

@template(60)
def t_want(r):
    s, n = subject(r), r.choice(BUYABLE + nouns('drink') + nouns('animal')[:3])
    adj = None
    if n.countable() and r.random() < 0.4:
        aa = [k for k in attr_adjs(n.adjs) if k not in ('old', 'old_a')]
        adj = r.choice(aa) if aa else None
    en, zh = n.indef(adj)
    return f"{s.en} {s.v('want', 'wants')} {en}.", f'{s.zh}想要{zh}。'


@template(30)
def t_want_q(r):
    s, n = subject(r, pron=0.9, allow_i=False), r.choice(BUYABLE + nouns('drink'))
    en, zh = n.indef()
    return f"{s.do()} {s.en} want {en}?", f'{s.zh}想要{zh}吗？'


@template(70)
def t_want_to(r):
    s = subject(r)
    k = r.random()
    if k < 0.3:
        n = r.choice(nouns('fruit', 'food'))
        v, vz = 'eat', '吃'
        en, zh = (n.gen_en, n.zh) if r.random() < 0.6 else n.indef()
    elif k < 0.55:
        n = r.choice(nouns('drink'))
        v, vz = 'drink', '喝'
        en, zh = (n.gen_en, n.zh) if r.random() < 0.6 else n.indef()
    elif k < 0.8:
        n = r.choice(nouns('thing', 'book', 'vehicle', 'clothes', 'flower'))
        v, vz = 'buy', '买'
        adj = None
        if n.countable() and r.random() < 0.5:
            aa = attr_adjs(n.adjs)
            adj = r.choice(aa) if aa else None
        en, zh = n.indef(adj)
    else:
        n = r.choice([NOUN[k] for k in ('panda', 'tiger', 'elephant', 'monkey', 'horse')])
        v, vz = 'see', '看'
        en, zh = n.pl, n.zh
    return f"{s.en} {s.v('want', 'wants')} to {v} {en}.", f'{s.zh}想{vz}{zh}。'


@template(40)
def t_want_act(r):
    s, a = subject(r), r.choice(acts('T'))
    if not act_ok(s, a):
        return None
    if r.random() < 0.3 and s.kind != 'name':
        return (f"{s.en} {s.dont()} want to {fill(a.base, s)}.", f'{s.zh}不想{a.zh}。')
    return f"{s.en} {s.v('want', 'wants')} to {fill(a.base, s)}.", f'{s.zh}想{a.zh}。'


@template(25)
def t_what_want(r):
    s = subject(r, allow_i=False)
    k = r.randint(0, 3)
    if k == 0:
        return f"what {s.do()} {s.en} want?", f'{s.zh}想要什么？'
    if k == 1:
        return f"what {s.do()} {s.en} want to eat?", f'{s.zh}想吃什么？'
    if k == 2:
        return f"what {s.do()} {s.en} want to drink?", f'{s.zh}想喝什么？'
    return f"what {s.do()} {s.en} want to buy?", f'{s.zh}想买什么？'


# ---- have

@template(55)
def t_have(r):
    s, n = subject(r), r.choice(OWNABLE)
    adj = None
    if r.random() < 0.5:
        aa = attr_adjs(n.adjs)
        adj = r.choice(aa) if aa else None
    en, zh = n.indef(adj)
    return f"{s.en} {s.have()} {en}.", f'{s.zh}有{zh}。'


@template(80)
def t_have_num(r):
    s, n = subject(r), r.choice(OWNABLE + nouns('fruit'))
    en, zh = n.num(count_for(r, n))
    return f"{s.en} {s.have()} {en}.", f'{s.zh}有{zh}。'


@template(45)
def t_have_not(r):
    s, n = subject(r), r.choice([x for x in OWNABLE if x.en not in ('pair of shoes', 'sheep')])
    return f"{s.en} {s.dont()} have {n.indef()[0]}.", f'{s.zh}没有{n.zh}。'


@template(45)
def t_have_q(r):
    s, n = subject(r, allow_i=False), r.choice(OWNABLE)
    return f"{s.do()} {s.en} have {n.indef()[0]}?", f'{s.zh}有{n.zh}吗？'


@template(35)
def t_how_many(r):
    s, n = subject(r, allow_i=False), r.choice(OWNABLE + nouns('fruit'))
    return f"how many {n.pl} {s.do()} {s.en} have?", f'{s.zh}有几{n.m}{n.zh}？'


# ---- eat / drink

@template(35)
def t_eat_every(r):
    s, n = subject(r), r.choice(nouns('fruit', 'food'))
    t, tz = r.choice(EVERY_T[:3])
    return f"{s.en} {s.v('eat', 'eats')} {n.gen_en} {t}.", f'{s.zh}{tz}都吃{n.zh}。'


@template(30)
def t_eating(r):
    s, n = subject(r), r.choice(nouns('fruit', 'food'))
    en, zh = (n.indef() if n.countable() else (n.gen_en, n.zh))
    return f"{s.en} {s.be()} eating {en}.", f'{s.zh}在吃{zh}。'


@template(50)
def t_ate(r):
    s, n = subject(r), r.choice(nouns('fruit', 'food'))
    t, tz = r.choice(PAST_T[:3])
    if n.numerable() and r.random() < 0.5:
        en, zh = n.num(pick_num(r, 2, 5))
    else:
        en, zh = n.indef()
    return f"{s.en} ate {en} {t}.", f'{s.zh}{tz}吃了{zh}。'


@template(30)
def t_not_eat(r):
    s, n = subject(r), r.choice(nouns('fruit', 'food'))
    return f"{s.en} {s.dont()} eat {n.gen_en}.", f'{s.zh}不吃{n.zh}。'


@template(30)
def t_drink_every(r):
    s, n = subject(r), r.choice(nouns('drink'))
    t, tz = r.choice(EVERY_T[:3]) if n.en != 'beer' else EVERY_T[2]
    return f"{s.en} {s.v('drink', 'drinks')} {n.gen_en} {t}.", f'{s.zh}{tz}都喝{n.zh}。'


@template(25)
def t_drinking(r):
    s, n = subject(r), r.choice(nouns('drink'))
    return f"{s.en} {s.be()} drinking {n.gen_en}.", f'{s.zh}在喝{n.zh}。'


@template(40)
def t_drank(r):
    s, n = subject(r), r.choice([x for x in nouns('drink') if x.en != 'beer'])
    t, tz = r.choice([('today', '今天'), ('this morning', '今天早上'), ('yesterday', '昨天')])
    en, zh = n.num(pick_num(r, 2, 6)) if r.random() < 0.7 else n.indef()
    return f"{s.en} drank {en} {t}.", f'{s.zh}{tz}喝了{zh}。'


@template(20)
def t_not_drink(r):
    s, n = subject(r), r.choice(nouns('drink'))
    return f"{s.en} {s.dont()} drink {n.gen_en}.", f'{s.zh}不喝{n.zh}。'


@template(25)
def t_ate_q(r):
    s = subject(r, pron=0.7, allow_i=False)
    k = r.randint(0, 2)
    if k == 0:
        n = r.choice(nouns('fruit', 'food'))
        t, tz = r.choice(PAST_T[:3])
        return f"did {s.en} eat {n.gen_en} {t}?", f'{s.zh}{tz}吃{n.zh}了吗？'
    if k == 1:
        t, tz = r.choice([('today', '今天'), ('yesterday', '昨天'), ('this morning', '今天早上')])
        return f"what did {s.en} eat {t}?", f'{s.zh}{tz}吃了什么？'
    m, mz = r.choice([('breakfast', '早饭'), ('lunch', '午饭'), ('dinner', '晚饭')])
    return f"did {s.en} eat {m}?", f'{s.zh}吃{mz}了吗？'


# ---- buy / need / sell

@template(55)
def t_bought(r):
    s, n = subject(r), r.choice(BUYABLE)
    t, tz = r.choice(PAST_T)
    if n.countable() and r.random() < 0.35:
        en, zh = n.num(count_for(r, n, 2, 6))
    else:
        adj = None
        if n.countable() and r.random() < 0.5:
            aa = attr_adjs(n.adjs)
            adj = r.choice(aa) if aa else None
        en, zh = n.indef(adj, some=True)
    return f"{s.en} bought {en} {t}.", f'{s.zh}{tz}买了{zh}。'


@template(30)
def t_will_buy(r):
    s, n = subject(r), r.choice(BUYABLE)
    t, tz = r.choice(FUT_T)
    en, zh = n.indef(some=True)
    return f"{s.en} will buy {en} {t}.", f'{s.zh}{tz}会买{zh}。'


@template(15)
def t_what_buy(r):
    s = subject(r, allow_i=False)
    t, tz = r.choice(PAST_T[:2] + [('today', '今天')])
    return f"what did {s.en} buy {t}?", f'{s.zh}{tz}买了什么？'


@template(45)
def t_need(r):
    s, n = subject(r), r.choice(NEEDABLE)
    en, zh = n.indef(some=True)
    return f"{s.en} {s.v('need', 'needs')} {en}.", f'{s.zh}需要{zh}。'


@template(25)
def t_need_not(r):
    s, n = subject(r), r.choice(NEEDABLE)
    if n.mass:
        return None
    if r.random() < 0.5:
        return f"{s.en} {s.dont()} need {n.indef()[0]}.", f'{s.zh}不需要{n.zh}。'
    if s.en in ('I', 'we'):
        return None
    s = q(s)
    if s is None:
        return None
    return f"{s.do()} {s.en} need {n.indef()[0]}?", f'{s.zh}需要{n.zh}吗？'


@template(15)
def t_sell(r):
    s = subject(r, pron=0.4, names=0.4)
    n = r.choice(nouns('fruit', 'flower', 'clothes', 'book') + [NOUN['bread'], NOUN['bike']])
    return f"{s.en} {s.v('sell', 'sells')} {n.gen_en}.", f'{s.zh}卖{n.zh}。'


# ---- see / read / write

@template(45)
def t_saw(r):
    s = subject(r)
    loc, lz, ks = r.choice(SEE_LOCS)
    n = NOUN[r.choice(ks.split())]
    en, zh = n.num(count_for(r, n, 2, 8)) if r.random() < 0.4 else n.indef()
    return f"{s.en} saw {en} {loc}.", f'{s.zh}{lz}看见了{zh}。'


@template(20)
def t_see(r):
    s = subject(r, pron=0.8)
    n = r.choice(nouns('animal') + nouns('person')[:5] + nouns('vehicle'))
    return f"{s.en} can see {n.indef()[0]}.", f'{s.zh}能看见{n.indef()[1]}。'


@template(30)
def t_reading(r):
    s = subject(r)
    n = r.choice([NOUN[k] for k in ('book', 'magazine', 'newspaper', 'letter', 'story')])
    if r.random() < 0.5 and n.en != 'newspaper':
        aa = attr_adjs(n.adjs)
        en, zh = n.indef(r.choice(aa) if aa else None)
    else:
        en, zh = n.indef()
    return f"{s.en} {s.be()} reading {en}.", f'{s.zh}在读{zh}。'


@template(25)
def t_read_past(r):
    s = subject(r)
    n = r.choice([NOUN[k] for k in ('book', 'magazine', 'letter', 'story')])
    t, tz = r.choice(PAST_T)
    aa = attr_adjs(n.adjs)
    en, zh = n.indef(r.choice(aa) if aa and r.random() < 0.5 else None)
    return f"{s.en} read {en} {t}.", f'{s.zh}{tz}读了{zh}。'


@template(15)
def t_read_every(r):
    s = subject(r)
    t, tz = r.choice(EVERY_T[:3])
    return (f"{s.en} {s.v('read', 'reads')} the newspaper {t}.", f'{s.zh}{tz}都读报纸。')


@template(25)
def t_writing(r):
    s = subject(r)
    n = r.choice(nouns('writing') + [NOUN['book']])
    en, zh = n.indef()
    return f"{s.en} {s.be()} writing {en}.", f'{s.zh}在写{zh}。'


@template(30)
def t_wrote(r):
    s = subject(r)
    n = r.choice(nouns('writing') + [NOUN['book']])
    if r.random() < 0.5:
        if n.en == 'book':
            return None
        t, tz = r.choice(PAST_T)
        if n.en != 'book' and r.random() < 0.4:
            en, zh = n.num(pick_num(r, 2, 5))
        else:
            en, zh = n.indef()
        return f"{s.en} wrote {en} {t}.", f'{s.zh}{tz}写了{zh}。'
    t, tz = r.choice(FUT_T)
    en, zh = n.indef()
    return f"{s.en} will write {en} {t}.", f'{s.zh}{tz}会写{zh}。'


@template(15)
def t_write_to(r):
    s = subject(r)
    o = r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    n = r.choice([NOUN['letter'], NOUN['email']])
    en, zh = n.indef()
    t, tz = r.choice(PAST_T[:2])
    return f"{s.en} wrote {o.obj} {en} {t}.", f'{s.zh}{tz}给{o.zh}写了{zh}。'


# ---- people: know / love / help / call / wait / give

@template(35)
def t_know(r):
    s, o = subject(r), r.choice(PRONOUNS + NAMES + [NPS[4], NPS[5]])
    if not different(s, o):
        return None
    k = r.random()
    if k < 0.45:
        return f"{s.en} {s.v('know', 'knows')} {o.obj}.", f'{s.zh}认识{o.zh}。'
    if k < 0.7:
        return f"{s.en} {s.dont()} know {o.obj}.", f'{s.zh}不认识{o.zh}。'
    if s.en == 'I':
        return None
    s = q(s)
    if s is None:
        return None
    return f"{s.do()} {s.en} know {o.obj}?", f'{s.zh}认识{o.zh}吗？'


@template(15)
def t_love(r):
    s = r.choice(PRONOUNS[:4] + NAMES)
    o = r.choice(NPS[:4] if s.en == 'I' and r.random() < 0.5 else PRONOUNS[:4] + NAMES)
    if not different(s, o):
        return None
    return f"{s.en} {s.v('love', 'loves')} {o.obj}.", f'{s.zh}爱{o.zh}。'


@template(25)
def t_help(r):
    s, o = subject(r), r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    k = r.random()
    if k < 0.4:
        return f"{s.en} often {s.v('help', 'helps')} {o.obj}.", f'{s.zh}经常帮{o.zh}。'
    if k < 0.7:
        return f"{s.en} will help {o.obj}.", f'{s.zh}会帮{o.zh}。'
    return f"{s.en} helped {o.obj} yesterday.", f'{s.zh}昨天帮了{o.zh}。'


@template(30)
def t_call(r):
    s, o = subject(r), r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    if r.random() < 0.5:
        t, tz = r.choice(FUT_T[:3])
        return f"{s.en} will call {o.obj} {t}.", f'{s.zh}{tz}会给{o.zh}打电话。'
    t, tz = r.choice(PAST_T[:3])
    return f"{s.en} called {o.obj} {t}.", f'{s.zh}{tz}给{o.zh}打了电话。'


@template(20)
def t_wait(r):
    s, o = subject(r), r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    if r.random() < 0.6:
        return f"{s.en} {s.be()} waiting for {o.obj}.", f'{s.zh}在等{o.zh}。'
    loc = r.choice(LOCAL[:10])
    return (f"{s.en} {s.be()} waiting for {o.obj} {loc.at}.", f'{s.zh}在{loc.zh_in}等{o.zh}。')


@template(35)
def t_gave(r):
    s, o = subject(r), r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    n = r.choice(BUYABLE + nouns('drink'))
    if n.kind == 'vehicle' or n.en in ('bed', 'table', 'TV', 'chair', 'computer'):
        return None
    en, zh = n.indef()
    return f"{s.en} gave {o.obj} {en}.", f'{s.zh}给了{o.zh}{zh}。'


@template(25)
def t_with(r):
    s, o = subject(r), r.choice(OBJ_PEOPLE)
    if not different(s, o):
        return None
    p = r.choice(LOCAL + FARAWAY)
    if p.kind == 'local':
        t, tz = r.choice([('yesterday', '昨天'), ('last week', '上个星期')])
    else:
        t, tz = r.choice([('last year', '去年'), ('last month', '上个月')])
    return f"{s.en} went {p.to} with {o.obj} {t}.", f'{s.zh}{tz}和{o.zh}一起去了{p.zh}。'


# ---- go / places

@template(30)
def t_go_every(r):
    s = subject(r)
    p = r.choice([x for x in LOCAL if x.the not in ('the airport', 'the post office')])
    if p.the in FUN_PLACES:
        t, tz = EVERY_T[3]
    else:
        t, tz = r.choice(EVERY_T[:2])
    return f"{s.en} {s.v('go', 'goes')} {p.to} {t}.", f'{s.zh}{tz}都去{p.zh}。'


@template(55)
def t_went(r):
    s = subject(r)
    p = r.choice(LOCAL + FARAWAY)
    if p.kind == 'local':
        t, tz = r.choice(PAST_T)
    else:
        t, tz = r.choice([('last year', '去年'), ('last month', '上个月'), ('last week', '上个星期')])
    return f"{s.en} went {p.to} {t}.", f'{s.zh}{tz}去了{p.zh}。'


@template(45)
def t_will_go(r):
    s = subject(r)
    p = r.choice(LOCAL + FARAWAY)
    if p.kind == 'local':
        t, tz = r.choice(FUT_T)
    else:
        t, tz = r.choice([('next year', '明年'), ('next month', '下个月'), ('next week', '下个星期')])
    return f"{s.en} will go {p.to} {t}.", f'{s.zh}{tz}会去{p.zh}。'


@template(30)
def t_want_go(r):
    s = subject(r)
    p = r.choice(LOCAL + FARAWAY)
    return f"{s.en} {s.v('want', 'wants')} to go {p.to}.", f'{s.zh}想去{p.zh}。'


@template(25)
def t_want_go_q(r):
    s = subject(r, pron=0.8, allow_i=False)
    p = r.choice(LOCAL + FARAWAY)
    return f"{s.do()} {s.en} want to go {p.to}?", f'{s.zh}想去{p.zh}吗？'


@template(25)
def t_didnt_go(r):
    s = subject(r)
    p = r.choice(LOCAL)
    t, tz = r.choice([('yesterday', '昨天'), ('last week', '上个星期'), ('today', '今天')])
    return f"{s.en} didn't go {p.to} {t}.", f'{s.zh}{tz}没去{p.zh}。'


@template(25)
def t_going_now(r):
    s = subject(r)
    p = r.choice(LOCAL + FARAWAY)
    return f"{s.en} {s.be()} going {p.to} now.", f'{s.zh}现在要去{p.zh}。'


@template(30)
def t_been(r):
    s = subject(r)
    p = r.choice(FARAWAY + [x for x in LOCAL if x.the in ('the zoo', 'the museum')])
    return f"{s.en} {s.have()} been {p.to}.", f'{s.zh}去过{p.zh}。'


@template(20)
def t_never_been(r):
    s = subject(r)
    p = r.choice(FARAWAY)
    return f"{s.en} {s.have()} never been {p.to}.", f'{s.zh}从来没去过{p.zh}。'


@template(25)
def t_been_q(r):
    s = subject(r, allow_i=False)
    p = r.choice(FARAWAY + [x for x in LOCAL if x.the in ('the zoo', 'the museum')])
    return f"{s.have()} {s.en} ever been {p.to}?", f'{s.zh}去过{p.zh}吗？'


@template(25)
def t_ever_done(r):
    s = subject(r, allow_i=False)
    k = r.randint(0, 2)
    if k == 0:
        en, zh = r.choice([('dumplings', '饺子'), ('Chinese food', '中国菜'),
                           ('Japanese food', '日本菜'), ('French food', '法国菜'),
                           ('ice cream', '冰淇淋'), ('chocolate', '巧克力')])
        return f"{s.have()} {s.en} ever eaten {en}?", f'{s.zh}吃过{zh}吗？'
    if k == 1:
        n = r.choice([NOUN[x] for x in ('panda', 'tiger', 'elephant', 'monkey')])
        return f"{s.have()} {s.en} ever seen {a_an(n.en)}?", f'{s.zh}见过{n.zh}吗？'
    n = r.choice([NOUN[x] for x in ('panda', 'tiger', 'elephant', 'monkey', 'horse')])
    return f"{s.en} {s.have()} seen {a_an(n.en)}.", f'{s.zh}见过{n.zh}。'


@template(35)
def t_at(r):
    s = subject(r)
    p = r.choice(LOCAL + CITIES + [HOME] * 4)
    if r.random() < 0.3:
        t, tz = r.choice([('now', '现在'), ('today', '今天')])
        return f"{s.en} {s.be()} {p.at} {t}.", f'{s.zh}{tz}在{p.zh_in}。'
    return f"{s.en} {s.be()} {p.at}.", f'{s.zh}在{p.zh_in}。'


@template(25)
def t_at_q(r):
    s = subject(r, allow_i=False)
    p = r.choice(LOCAL + CITIES + [HOME] * 3)
    return f"{s.be()} {s.en} {p.at}?", f'{s.zh}在{p.zh_in}吗？'


@template(25)
def t_was_at(r):
    s = subject(r)
    p = r.choice(LOCAL + CITIES + [HOME] * 3)
    t, tz = r.choice([('yesterday', '昨天'), ('last week', '上个星期'), ('last night', '昨晚')])
    if p.kind == 'city' and t == 'last night':
        return None
    return f"{s.en} {s.was()} {p.at} {t}.", f'{s.zh}{tz}在{p.zh_in}。'


@template(15)
def t_where_is_s(r):
    s = subject(r, allow_i=False)
    if r.random() < 0.5:
        return f"where {s.be()} {s.en}?", f'{s.zh}在哪里？'
    return f"where {s.be()} {s.en} going?", f'{s.zh}要去哪里？'


@template(25)
def t_where_is_p(r):
    p = r.choice(LOCAL)
    if r.random() < 0.5:
        return f"where is {p.the}?", f'{p.zh}在哪里？'
    if p.the == 'the school':
        return None
    return f"excuse me, where is {p.the}?", f'请问，{p.zh}在哪里？'


@template(25)
def t_where_is_n(r):
    s = subject(r, pron=0.8)
    n = r.choice([x for x in OWNABLE if x.en not in ('bed', 'table', 'house', 'TV')])
    if n.kind == 'animal':
        return None
    if n.en == 'pair of shoes':
        return f"where are {s.poss} shoes?", f'{s.pzh}鞋在哪里？'
    return f"where is {s.poss} {n.en}?", f'{s.pzh}{n.zh}在哪里？'


@template(30)
def t_home(r):
    s = subject(r)
    k = r.randint(0, 4)
    if k == 0:
        return f"{s.en} went home.", f'{s.zh}回家了。'
    if k == 1:
        t, tz = r.choice(PAST_T[:2])
        return f"{s.en} went home {t}.", f'{s.zh}{tz}回家了。'
    if k == 2:
        return f"{s.en} {s.v('want', 'wants')} to go home.", f'{s.zh}想回家。'
    if k == 3:
        t, tz = r.choice(FUT_T[:3])
        return f"{s.en} will go home {t}.", f'{s.zh}{tz}会回家。'
    k = pick_num(r, 4, 7)
    return f"{s.en} {s.v('go', 'goes')} home at {k} o'clock.", f'{s.zh}{k}点回家。'


@template(30)
def t_live(r):
    s = subject(r)
    p = r.choice(CITIES + FARAWAY)
    if r.random() < 0.2 and s.en != 'I':
        s = q(s)
        if s is None:
            return None
        return f"where {s.do()} {s.en} live?", f'{s.zh}住在哪里？'
    if r.random() < 0.3:
        return f"{s.en} {s.dont()} live {p.at}.", f'{s.zh}不住在{p.zh}。'
    return f"{s.en} {s.v('live', 'lives')} {p.at}.", f'{s.zh}住在{p.zh}。'


@template(25)
def t_from(r):
    s = subject(r)
    p = r.choice(FARAWAY)
    if r.random() < 0.2 and s.en != 'I':
        s = q(s)
        if s is None:
            return None
        return f"where {s.be()} {s.en} from?", f'{s.zh}是哪里人？'
    return f"{s.en} {s.be()} from {p.the}.", f'{s.zh}来自{p.zh}。'


@template(30)
def t_work_at(r):
    s = subject(r)
    w, wz = r.choice(WORKPLACES)
    if r.random() < 0.2 and s.en != 'I':
        s = q(s)
        if s is None:
            return None
        return f"where {s.do()} {s.en} work?", f'{s.zh}在哪里工作？'
    if s.num == 'p':
        return None
    return f"{s.en} {s.v('work', 'works')} at {w}.", f'{s.zh}在{wz}工作。'


@template(30)
def t_transport(r):
    s = subject(r)
    tr, trz, kind = r.choice(TRANSPORT)
    if kind == 'local':
        p = r.choice([x for x in LOCAL if x.the not in ('the airport',)])
        if r.random() < 0.6:
            return f"{s.en} {s.v('go', 'goes')} {p.to} {tr}.", f'{s.zh}{trz}去{p.zh}。'
        t, tz = r.choice(PAST_T[:1])
        return f"{s.en} went {p.to} {tr} {t}.", f'{s.zh}{tz}是{trz}去{p.zh}的。'
    p = r.choice(FARAWAY)
    t, tz = r.choice(FUT_T[:1] + [('next week', '下个星期')])
    return f"{s.en} will go {p.to} {tr} {t}.", f'{s.zh}{tz}会{trz}去{p.zh}。'


@template(12)
def t_how_go(r):
    s = subject(r, allow_i=False)
    p = r.choice(LOCAL[:8])
    return f"how {s.do()} {s.en} go {p.to}?", f'{s.zh}怎么去{p.zh}？'


@template(25)
def t_place_rel(r):
    a, b = r.sample(LOCAL, 2)
    rel, rz = r.choice([('next to', '旁边'), ('near', '附近'), ('across from', '对面')])
    if a.the == 'the school' or b.the == 'the school':
        return None
    return f"{a.the} is {rel} {b.the}.", f'{a.zh}在{b.zh}{rz}。'


@template(20)
def t_far(r):
    p = r.choice([x for x in LOCAL if x.the != 'the office'])
    k = r.randint(0, 2)
    if k == 0:
        return f"is {p.the} far from here?", f'{p.zh}离这里远吗？'
    if k == 1:
        return f"{p.the} is far from here.", f'{p.zh}离这里很远。'
    return f"{p.the} is not far from here.", f'{p.zh}离这里不远。'


@template(25)
def t_place_adj(r):
    p = r.choice([x for x in PLACES if [k for k in x.adjs if k != 'far']])
    a = ADJ[r.choice([k for k in p.adjs if k != 'far'])]
    k = r.random()
    if k < 0.5:
        return f"{p.the} is very {a[0]}.", f'{p.zh}非常{a[1]}。'
    if k < 0.75:
        return f"{p.the} is {a[0]}.", f'{p.zh}很{a[1]}。'
    return f"is {p.the} {a[0]}?", f'{p.zh}{a[1]}吗？'


@template(15)
def t_lets_go(r):
    p = r.choice([x for x in LOCAL if x.the in FUN_PLACES + ('the library', 'the supermarket')]
                 + [HOME])
    if p is HOME:
        return "let's go home.", '我们回家吧。'
    t, tz = r.choice([('', ''), (' tomorrow', '明天'), (' tonight', '今晚'),
                      (' this weekend', '这个周末')])
    return f"let's go {p.to}{t}.", f'我们{tz}去{p.zh}吧。'


# ---- activities

@template(40)
def t_act_now(r):
    s, a = subject(r), r.choice(acts('N'))
    if not act_ok(s, a):
        return None
    if r.random() < 0.4:
        return f"{s.en} {s.be()} {fill(a.ing, s)} now.", f'{s.zh}现在在{a.zh}。'
    return f"{s.en} {s.be()} {fill(a.ing, s)}.", f'{s.zh}在{a.zh}。'


@template(35)
def t_act_every(r):
    s, a = subject(r), r.choice(acts('E'))
    if not act_ok(s, a):
        return None
    t, tz = r.choice(EVERY_T)
    return f"{s.en} {fill(s.v(a.base, a.third), s)} {t}.", f'{s.zh}{tz}都{a.zh}。'


@template(35)
def t_act_past(r):
    s, a = subject(r), r.choice(acts('P'))
    if not act_ok(s, a):
        return None
    t, tz = r.choice(PAST_T)
    return f"{s.en} {fill(a.past, s)} {t}.", f'{s.zh}{tz}{a.zh}了。'


@template(25)
def t_act_didnt(r):
    s, a = subject(r), r.choice(acts('P'))
    if not act_ok(s, a):
        return None
    t, tz = r.choice(PAST_T[:2] + [('today', '今天')])
    return f"{s.en} didn't {fill(a.base, s)} {t}.", f'{s.zh}{tz}没{a.zh}。'


@template(30)
def t_act_will(r):
    s, a = subject(r), r.choice(acts('W'))
    if not act_ok(s, a):
        return None
    t, tz = r.choice(FUT_T)
    return f"{s.en} will {fill(a.base, s)} {t}.", f'{s.zh}{tz}会{a.zh}。'


@template(35)
def t_can(r):
    s, a = subject(r), r.choice(acts('C'))
    if not act_ok(s, a):
        return None
    return f"{s.en} can {a.base}.", f'{s.zh}会{a.zh}。'


@template(25)
def t_cannot(r):
    s, a = subject(r), r.choice(acts('C'))
    if not act_ok(s, a):
        return None
    return f"{s.en} can't {a.base}.", f'{s.zh}不会{a.zh}。'


@template(25)
def t_can_q(r):
    s, a = subject(r, allow_i=False), r.choice(acts('C'))
    if not act_ok(s, a):
        return None
    return f"can {s.en} {a.base}?", f'{s.zh}会{a.zh}吗？'


@template(15)
def t_what_doing(r):
    s = subject(r, allow_i=False)
    if r.random() < 0.7:
        return f"what {s.be()} {s.en} doing?", f'{s.zh}在做什么？'
    return f"what {s.be()} {s.en} doing now?", f'{s.zh}现在在做什么？'


@template(20)
def t_lets(r):
    a = r.choice(acts('S'))
    t, tz = r.choice([('', ''), ('', ''), (' tomorrow', '明天'), (' tonight', '今晚')])
    return f"let's {a.base}{t}.", f'我们{tz}{a.zh}吧。'


@template(15)
def t_together(r):
    s = subject(r, pron=0.5, names=0.0)
    if s.num != 'p':
        return None
    a = r.choice(acts('E'))
    if not act_ok(s, a):
        return None
    return f"{s.en} often {fill(a.base, s)} together.", f'{s.zh}经常一起{a.zh}。'


# ---- be + noun / adjective

@template(35)
def t_job(r):
    s = subject(r)
    if s.en in ('the teacher', 'the children', 'the students'):
        return None
    j, jp, jz = r.choice(JOBS)
    en = jp if s.num == 'p' else a_an(j)
    k = r.random()
    if k < 0.6:
        return f"{s.en} {s.be()} {en}.", f'{s.zh}是{jz}。'
    if k < 0.8:
        return f"{s.en} {s.be()} not {en}.", f'{s.zh}不是{jz}。'
    if s.en == 'I':
        return None
    s = q(s)
    if s is None:
        return None
    return f"{s.be()} {s.en} {en}?", f'{s.zh}是{jz}吗？'


@template(45)
def t_padj(r):
    s = subject(r)
    a, az, _ = r.choice(PADJ)
    k = r.random()
    if k < 0.5:
        return f"{s.en} {s.be()} {a}.", f'{s.zh}很{az}。'
    if k < 0.8:
        return f"{s.en} {s.be()} very {a}.", f'{s.zh}非常{az}。'
    if a in PERMANENT:
        return None
    t, tz = r.choice([('today', '今天'), ('now', '现在')])
    return f"{s.en} {s.be()} very {a} {t}.", f'{s.zh}{tz}非常{az}。'


@template(35)
def t_padj_not(r):
    s = subject(r)
    a, az, ok = r.choice(PADJ)
    if not ok:
        return None
    return f"{s.en} {s.be()} not {a}.", f'{s.zh}{neg(az)}。'


@template(30)
def t_padj_q(r):
    s = subject(r, allow_i=False)
    a, az, ok = r.choice(PADJ)
    if not ok:
        return None
    return f"{s.be()} {s.en} {a}?", f'{s.zh}{az}吗？'


@template(20)
def t_padj_past(r):
    s = subject(r)
    a, az, ok = r.choice(PADJ[:4] + PADJ[11:14])
    t, tz = r.choice([('yesterday', '昨天'), ('last week', '上个星期')])
    return f"{s.en} {s.was()} very {a} {t}.", f'{s.zh}{tz}非常{az}。'


@template(30)
def t_pcomp(r):
    pool = PRONOUNS + NAMES
    s, o = r.choice(pool), r.choice(pool)
    if not different(s, o):
        return None
    a, az = r.choice(PCOMP)
    return f"{s.en} {s.be()} {a} than {o.obj}.", f'{s.zh}比{o.zh}{az}。'


def noun_with_pred(r, kinds=None):
    pool = [n for n in NOUNS if pred_adjs(n.adjs) and n.demable()
            and (kinds is None or n.kind in kinds) and n.kind != 'person']
    n = r.choice(pool)
    return n, ADJ[r.choice(pred_adjs(n.adjs))]


@template(50)
def t_this_adj(r):
    n, a = noun_with_pred(r)
    en, zh = n.dem(near=r.random() < 0.75)
    return f"{en} is {a[0]}.", f'{zh}很{a[1]}。'


@template(35)
def t_this_very(r):
    n, a = noun_with_pred(r)
    en, zh = n.dem(near=r.random() < 0.75)
    return f"{en} is very {a[0]}.", f'{zh}非常{a[1]}。'


@template(35)
def t_this_not(r):
    n, a = noun_with_pred(r)
    en, zh = n.dem(near=r.random() < 0.75)
    return f"{en} is not {a[0]}.", f'{zh}{neg(a[1])}。'


@template(30)
def t_this_q(r):
    n, a = noun_with_pred(r)
    en, zh = n.dem(near=r.random() < 0.75)
    return f"is {en} {a[0]}?", f'{zh}{a[1]}吗？'


@template(30)
def t_this_too(r):
    n, a = noun_with_pred(r)
    if a[0] in ('beautiful', 'cute', 'interesting', 'delicious', 'fresh', 'good',
                'comfortable', 'clean', 'new', 'quiet', 'warm'):
        return None
    en, zh = n.dem()
    return f"{en} is too {a[0]}.", f'{zh}太{a[1]}了。'


@template(30)
def t_these_adj(r):
    n, a = noun_with_pred(r)
    if n.mass or n.en == 'pair of shoes':
        return None
    if r.random() < 0.6:
        return f"these {n.pl} are {a[0]}.", f'这些{n.zh}很{a[1]}。'
    return f"those {n.pl} are very {a[0]}.", f'那些{n.zh}非常{a[1]}。'


@template(25)
def t_mass_adj(r):
    n = r.choice([x for x in nouns('food', 'drink') if x.mass and pred_adjs(x.adjs)])
    a = ADJ[r.choice(pred_adjs(n.adjs))]
    k = r.random()
    if k < 0.5:
        return f"the {n.en} {n.be()} {a[0]}.", f'{n.zh}很{a[1]}。'
    if k < 0.75:
        return f"the {n.en} {n.be()} very {a[0]}.", f'{n.zh}非常{a[1]}。'
    return f"the {n.en} {n.be()} not {a[0]}.", f'{n.zh}{neg(a[1])}。'


@template(35)
def t_poss_adj(r):
    s = subject(r, pron=0.7)
    n = r.choice([x for x in OWNABLE if pred_adjs(x.adjs)])
    a = ADJ[r.choice(pred_adjs(n.adjs))]
    if n.en == 'pair of shoes':
        return f"{s.poss} shoes are {a[0]}.", f'{s.pzh}鞋很{a[1]}。'
    if r.random() < 0.6:
        return f"{s.poss} {n.en} is {a[0]}.", f'{s.pzh}{n.zh}很{a[1]}。'
    return f"{s.poss} {n.en} is very {a[0]}.", f'{s.pzh}{n.zh}非常{a[1]}。'


@template(25)
def t_ncomp(r):
    pool = [n for n in NOUNS if n.countable() and n.kind != 'person'
            and any(ADJ[k][3] for k in pred_adjs(n.adjs))]
    n = r.choice(pool)
    a = ADJ[r.choice([k for k in pred_adjs(n.adjs) if ADJ[k][3]])]
    if n.en == 'pair of shoes':
        return (f"this pair of shoes is {a[3]} than that one.",
                f'这双鞋比那双{a[1]}。')
    return f"this {n.en} is {a[3]} than that one.", f'这{n.m}{n.zh}比那{n.m}{a[1]}。'


@template(40)
def t_this_is_poss(r):
    s = subject(r, pron=0.7)
    n = r.choice([x for x in OWNABLE if x.en != 'pair of shoes'])
    k = r.random()
    near, nz = ('this', '这') if r.random() < 0.6 else ('that', '那')
    if k < 0.45:
        return f"{near} is {s.poss} {n.en}.", f'{nz}是{s.pzh}{n.zh}。'
    if k < 0.7:
        return f"{near} is not {s.poss} {n.en}.", f'{nz}不是{s.pzh}{n.zh}。'
    s = q(s)
    if s is None:
        return None
    return f"is {near} {s.poss} {n.en}?", f'{nz}是{s.pzh}{n.zh}吗？'


@template(12)
def t_whose(r):
    n = r.choice([x for x in OWNABLE if x.en != 'pair of shoes' and x.kind != 'animal'])
    if r.random() < 0.5:
        return f"whose {n.en} is this?", f'这是谁的{n.zh}？'
    return f"whose {n.en} is that?", f'那是谁的{n.zh}？'


@template(15)
def t_what_is(r):
    n = r.choice([x for x in NOUNS if x.countable() and x.kind not in ('person', 'writing')])
    if n.en == 'pair of shoes':
        return None
    near, nz = ('this', '这') if r.random() < 0.5 else ('that', '那')
    return f"{near} is {a_an(n.en)}.", f'{nz}是{n.indef()[1]}。'


@template(15)
def t_which(r):
    n = r.choice([x for x in NOUNS if x.countable() and x.kind in
                  ('thing', 'book', 'clothes', 'vehicle', 'fruit', 'animal')])
    if n.en == 'pair of shoes':
        return None
    v, vz = r.choice([('like', '喜欢'), ('want', '想要')])
    return f"which {n.en} do you {v}?", f'你{vz}哪{n.m}{n.zh}？'


# ---- there is / are

@template(30)
def t_there_is(r):
    loc, lz, ks = r.choice(LOCS)
    n = NOUN[r.choice(ks.split())]
    return f"there is {n.indef()[0]} {loc}.", f'{lz}有{n.indef()[1]}。'


@template(40)
def t_there_are(r):
    loc, lz, ks = r.choice(LOCS)
    n = NOUN[r.choice(ks.split())]
    en, zh = n.num(count_for(r, n))
    return f"there are {en} {loc}.", f'{lz}有{zh}。'


@template(20)
def t_there_q(r):
    loc, lz, ks = r.choice(LOCS)
    n = NOUN[r.choice(ks.split())]
    if r.random() < 0.6:
        return f"is there {n.indef()[0]} {loc}?", f'{lz}有{n.zh}吗？'
    return f"how many {n.pl} are there {loc}?", f'{lz}有几{n.m}{n.zh}？'


@template(8)
def t_family_size(r):
    s = r.choice(PRONOUNS[:4] + NAMES[:2])
    k = pick_num(r, 3, 6)
    fam = 'my' if s.en == 'I' else s.poss
    zh = {'I': '我', 'you': '你', 'he': '他', 'she': '她'}.get(s.en, s.zh)
    return f"there are {k} people in {fam} family.", f'{zh}家有{k}口人。'


# ---- numbers: prices, age, time

@template(35)
def t_price(r):
    n = r.choice([x for x in NOUNS if x.price])
    lo, hi = n.price
    p = r.randint(lo, hi)
    if p > 100:
        p = round(p, -1 if p < 1000 else -2)
    k = r.random()
    if k < 0.6:
        en, zh = n.dem(near=r.random() < 0.7)
        return f"{en} costs {p} yuan.", f'{zh}{p}块钱。'
    if n.en == 'pair of shoes':
        return None
    return f"these {n.pl} cost {p} yuan.", f'这些{n.zh}{p}块钱。'


@template(25)
def t_how_much(r):
    n = r.choice([x for x in NOUNS if x.price])
    en, zh = n.dem(near=r.random() < 0.7)
    return f"how much is {en}?", f'{zh}多少钱？'


@template(30)
def t_age(r):
    s = subject(r)
    if s.num == 'p':
        return None
    if s.en in ('my mother', 'my father', 'the teacher'):
        k = r.randint(30, 60)
    else:
        k = r.randint(6, 40)
    return f"{s.en} {s.be()} {k} years old.", f'{s.zh}{k}岁。'


@template(12)
def t_how_old(r):
    s = subject(r, pron=0.6, names=0.4, allow_i=False)
    if s.num == 'p':
        return None
    return f"how old {s.be()} {s.en}?", f'{s.zh}多大了？'


@template(12)
def t_oclock(r):
    k = r.randint(1, 12)
    if r.random() < 0.7:
        return f"it is {k} o'clock.", f'现在{k}点。'
    return f"it is {k} o'clock now.", f'现在{k}点了。'


@template(60)
def t_routine(r):
    s = subject(r)
    what = r.randint(0, 5)
    if what == 0:
        k = r.randint(5, 9)
        return f"{s.en} {s.v('get', 'gets')} up at {k} o'clock.", f'{s.zh}{k}点起床。'
    if what == 1:
        k = r.randint(9, 12)
        return f"{s.en} {s.v('go', 'goes')} to bed at {k} o'clock.", f'{s.zh}{k}点睡觉。'
    if what == 2:
        m, mz, lo, hi = r.choice([('breakfast', '早饭', 6, 9), ('lunch', '午饭', 11, 12),
                                  ('dinner', '晚饭', 5, 8)])
        k = r.randint(lo, hi)
        return f"{s.en} {s.v('eat', 'eats')} {m} at {k} o'clock.", f'{s.zh}{k}点吃{mz}。'
    if what == 3:
        k = r.randint(7, 9)
        p = r.choice([x for x in LOCAL if x.the in ('the school', 'the office', 'the hospital',
                                                    'the library', 'the bank')])
        return f"{s.en} {s.v('go', 'goes')} {p.to} at {k} o'clock.", f'{s.zh}{k}点去{p.zh}。'
    if what == 4:
        k = r.randint(5, 10)
        return f"{s.en} got up at {k} o'clock this morning.", f'{s.zh}今天早上{k}点起床了。'
    if s.en == 'I':
        return None
    v, vz = r.choice([('get up', '起床'), ('go to bed', '睡觉'), ('eat dinner', '吃晚饭')])
    s = q(s)
    if s is None:
        return None
    return f"what time {s.do()} {s.en} {v}?", f'{s.zh}几点{vz}？'


@template(20)
def t_opens(r):
    p = r.choice([x for x in LOCAL if x.the in ('the store', 'the supermarket', 'the bank',
                                                'the library', 'the museum', 'the post office',
                                                'the restaurant', 'the zoo')])
    k = r.random()
    if k < 0.4:
        h = r.randint(7, 10)
        return f"{p.the} opens at {h} o'clock.", f'{p.zh}{h}点开门。'
    if k < 0.8:
        h = r.randint(5, 11)
        return f"{p.the} closes at {h} o'clock.", f'{p.zh}{h}点关门。'
    return f"what time does {p.the} open?", f'{p.zh}几点开门？'


@template(12)
def t_starts(r):
    e, ez = r.choice([('the movie', '电影'), ('the class', '课'), ('the meeting', '会议'),
                      ('the game', '比赛'), ('the concert', '音乐会')])
    h = r.randint(1, 10)
    if r.random() < 0.75:
        return f"{e} starts at {h} o'clock.", f'{ez}{h}点开始。'
    return f"what time does {e} start?", f'{ez}几点开始？'


@template(14)
def t_days(r):
    d, dz = r.choice(DAYS)
    k = r.randint(0, 3)
    if k == 0:
        return f"today is {d}.", f'今天是{dz}。'
    if k == 1:
        return f"tomorrow is {d}.", f'明天是{dz}。'
    if k == 2:
        return f"yesterday was {d}.", f'昨天是{dz}。'
    return f"is today {d}?", f'今天是{dz}吗？'


@template(15)
def t_on_day(r):
    s = subject(r)
    d, dz = r.choice(DAYS)
    a = r.choice(acts('W'))
    if not act_ok(s, a):
        return None
    return (f"{s.en} will {fill(a.base, s)} on {d}.", f'{s.zh}{dz}会{a.zh}。')


# ---- languages

@template(60)
def t_lang(r):
    s = subject(r)
    l, lz = r.choice(LANGS)
    k = r.randint(0, 7)
    if k == 0:
        return f"{s.en} {s.v('speak', 'speaks')} {l}.", f'{s.zh}会说{lz}。'
    if k == 1 and s.en != 'I':
        s = q(s)
        if s is None:
            return None
        return f"{s.do()} {s.en} speak {l}?", f'{s.zh}会说{lz}吗？'
    if k == 2:
        return f"{s.en} {s.dont()} speak {l}.", f'{s.zh}不会说{lz}。'
    if k == 3:
        return f"{s.en} {s.v('speak', 'speaks')} {l} very well.", f'{s.zh}{lz}说得很好。'
    if k == 4:
        return f"{s.en} {s.be()} learning {l}.", f'{s.zh}在学{lz}。'
    if k == 5:
        return f"{s.en} {s.v('want', 'wants')} to learn {l}.", f'{s.zh}想学{lz}。'
    if k == 6 and s.num != 'p':
        return f"{s.en} {s.v('teach', 'teaches')} {l}.", f'{s.zh}教{lz}。'
    if k == 7:
        return f"{s.en} can speak a little {l}.", f'{s.zh}会说一点{lz}。'
    return None


@template(12)
def t_lang_adj(r):
    l, lz = r.choice(LANGS)
    a, az = r.choice([('difficult', '难'), ('easy', '容易'), ('interesting', '有意思')])
    k = r.random()
    if k < 0.4:
        return f"{l} is {a}.", f'{lz}很{az}。'
    if k < 0.7:
        return f"{l} is not {a}.", f'{lz}{neg(az)}。'
    return f"is {l} {a}?", f'{lz}{az}吗？'


# ---- misc

@template(15)
def t_names(r):
    e, z = r.choice(MALE_NAMES + FEMALE_NAMES)
    k = r.randint(0, 2)
    if k == 0:
        return f"my name is {e}.", f'我叫{z}。'
    if k == 1:
        if (e, z) in MALE_NAMES:
            return f"his name is {e}.", f'他叫{z}。'
        return f"her name is {e}.", f'她叫{z}。'
    return f"this is {e}.", f'这是{z}。'


@template(20)
def t_this_is_family(r):
    s = r.choice(PRONOUNS[:4] + NAMES[:4])
    f, fz = r.choice(FAMILY)
    if f in ('wife', 'husband') and s.en != 'I':
        return None
    if s.en == 'I':
        return f"this is my {f}.", f'这是我{fz}。'
    if r.random() < 0.5:
        return f"this is {s.poss} {f}.", f'这是{s.fam_zh}{fz}。'
    return f"is this {s.poss} {f}?", f'这是{s.fam_zh}{fz}吗？'


@template(15)
def t_afraid(r):
    s = subject(r)
    en, zh = r.choice([('dogs', '狗'), ('cats', '猫'), ('tigers', '老虎'), ('horses', '马'),
                       ('mice', '老鼠'), ('snakes', '蛇'), ('spiders', '蜘蛛'),
                       ('the dark', '黑'), ('dogs', '狗')])
    if r.random() < 0.7:
        return f"{s.en} {s.be()} afraid of {en}.", f'{s.zh}怕{zh}。'
    return f"{s.en} {s.be()} not afraid of {en}.", f'{s.zh}不怕{zh}。'


@template(25)
def t_borrow(r):
    n = r.choice([NOUN[k] for k in ('pen', 'pencil', 'phone', 'computer', 'umbrella',
                                    'dictionary', 'bike', 'car', 'camera', 'map', 'book')])
    v, vz = r.choice([('use', '用'), ('borrow', '借')])
    if n.en in ('book', 'bike', 'car', 'umbrella', 'map'):
        v, vz = 'borrow', '借'
    o = r.choice(PRONOUNS[1:4] + PRONOUNS[5:] + NAMES[:4])
    if o.en == 'you':
        return f"can I {v} your {n.en}?", f'我可以{vz}你的{n.zh}吗？'
    return f"can I {v} {o.poss} {n.en}?", f'我可以{vz}{o.pzh}{n.zh}吗？'


@template(25)
def t_give_me(r):
    n = r.choice(BUYABLE + nouns('drink'))
    if n.kind == 'vehicle' or n.en in ('bed', 'table', 'TV', 'chair', 'computer'):
        return None
    if n.numerable() and r.random() < 0.4:
        en, zh = n.num(pick_num(r, 2, 5))
    else:
        en, zh = n.indef()
    return f"please give me {en}.", f'请给我{zh}。'


@template(15)
def t_meal(r):
    s = subject(r)
    m, mz = r.choice([('breakfast', '早饭'), ('lunch', '午饭'), ('dinner', '晚饭')])
    p = r.choice([HOME, LOCAL[0], LOCAL[9], LOCAL[15]])
    t, tz = r.choice(PAST_T[:1] + [('today', '今天')])
    return f"{s.en} ate {m} {p.at} {t}.", f'{s.zh}{tz}在{p.zh_in}吃了{mz}。'


# --------------------------------------------------------------------------------------
# Hand-written pairs: English<TAB>Chinese

HAND = """\
Hello.	你好。
Hi.	嗨。
Hello, Tom.	你好，汤姆。
Hi, Mary.	嗨，玛丽。
Good morning.	早上好。
Good morning, teacher.	老师，早上好。
Good afternoon.	下午好。
Good evening.	晚上好。
Good night.	晚安。
Good night, Mom.	晚安，妈妈。
Goodbye.	再见。
Goodbye, see you tomorrow.	再见，明天见。
See you tomorrow.	明天见。
See you next week.	下个星期见。
See you on Monday.	星期一见。
See you later.	回头见。
How are you?	你好吗？
I am fine, thank you.	我很好，谢谢。
I am fine. And you?	我很好。你呢？
I am very well, thanks.	我很好，谢谢。
How is your mother?	你妈妈好吗？
She is fine, thank you.	她很好，谢谢。
Thank you.	谢谢。
Thanks.	谢谢。
Thank you very much.	非常感谢。
Thank you for your help.	谢谢你的帮助。
Thank you for the gift.	谢谢你的礼物。
You are welcome.	不客气。
Sorry.	对不起。
I am sorry.	对不起。
I am very sorry.	真对不起。
Sorry, I am late.	对不起，我迟到了。
It doesn't matter.	没关系。
That's OK.	没关系。
Excuse me.	打扰一下。
Excuse me, is this seat free?	请问，这个座位有人吗？
No problem.	没问题。
Nice to meet you.	很高兴认识你。
Nice to meet you too.	我也很高兴认识你。
Welcome.	欢迎。
Welcome to China.	欢迎来到中国。
Welcome to Beijing.	欢迎来到北京。
Welcome to our school.	欢迎来到我们学校。
Welcome home.	欢迎回家。
What is your name?	你叫什么名字？
What is his name?	他叫什么名字？
What is her name?	她叫什么名字？
What is your dog's name?	你的狗叫什么名字？
My cat's name is Mimi.	我的猫叫咪咪。
Yes.	是的。
No.	不。
Yes, it is.	是的。
No, it isn't.	不是。
OK.	好的。
All right.	好吧。
Of course.	当然。
Really?	真的吗？
Are you sure?	你确定吗？
I am sure.	我确定。
I see.	我明白了。
I know.	我知道。
I don't know.	我不知道。
I understand.	我明白。
I don't understand.	我不明白。
Do you understand?	你明白吗？
I don't know his name.	我不知道他的名字。
I don't know where he is.	我不知道他在哪里。
Do you know where Tom is?	你知道汤姆在哪里吗？
Do you know her phone number?	你知道她的电话号码吗？
I think so.	我想是的。
I don't think so.	我不这么认为。
I agree.	我同意。
I agree with you.	我同意你的看法。
You are right.	你说得对。
That is right.	对。
That is wrong.	不对。
Please speak slowly.	请说慢一点。
Please say it again.	请再说一遍。
Please speak louder.	请大声一点。
What does this word mean?	这个词是什么意思？
How do you say this in Chinese?	这个用中文怎么说？
How do you say this in English?	这个用英语怎么说？
Can you help me?	你能帮我吗？
Can you help me, please?	你能帮帮我吗？
Of course I can help you.	我当然可以帮你。
Do you need help?	你需要帮助吗？
I need your help.	我需要你的帮助。
Help!	救命！
Be careful!	小心！
Hurry up!	快点！
Wait a moment.	等一下。
Please wait for me.	请等我一下。
Come in, please.	请进。
Please sit down.	请坐。
Please come here.	请过来。
Please open the door.	请开门。
Please close the door.	请关门。
Please open the window.	请打开窗户。
Please close the window.	请关上窗户。
Please turn off the light.	请关灯。
Please turn on the TV.	请打开电视。
Please write your name here.	请在这里写你的名字。
Please drink some water.	请喝点水。
Please help me.	请帮帮我。
Please call me tomorrow.	请明天给我打电话。
Don't worry.	别担心。
Don't cry.	别哭。
Don't go.	别走。
Don't be late.	别迟到。
Don't touch it.	别碰它。
Don't forget your umbrella.	别忘了带伞。
Don't forget to call me.	别忘了给我打电话。
Let's go.	我们走吧。
Let's eat.	我们吃饭吧。
Let's begin.	我们开始吧。
Let's take a break.	我们休息一下吧。
Let's have dinner together.	我们一起吃晚饭吧。
Good luck!	祝你好运！
Happy birthday!	生日快乐！
Happy birthday, Mary!	玛丽，生日快乐！
Happy New Year!	新年快乐！
Merry Christmas!	圣诞快乐！
Congratulations!	恭喜！
Cheers!	干杯！
Have a good trip.	旅途愉快。
Have a nice day.	祝你今天愉快。
Take care.	保重。
Enjoy your meal.	请慢用。
I am home.	我回来了。
Where are you?	你在哪里？
I am here.	我在这里。
Tom is not here.	汤姆不在这里。
Come here.	过来。
Go away!	走开！
What happened?	发生了什么事？
What is wrong?	怎么了？
What is this?	这是什么？
What is that?	那是什么？
Who is that?	那是谁？
Who are you?	你是谁？
Who is he?	他是谁？
Who is she?	她是谁？
Who is that man?	那个男人是谁？
Who is that girl?	那个女孩是谁？
Who is your teacher?	你的老师是谁？
Who wants some tea?	谁想喝茶？
Who is at the door?	谁在门口？
Who did this?	这是谁做的？
Who wrote this book?	这本书是谁写的？
Where is the bathroom?	洗手间在哪里？
Where is the nearest bank?	最近的银行在哪里？
Where do you want to go?	你想去哪里？
Where did you buy this bag?	你在哪里买的这个包？
Where did you go yesterday?	你昨天去了哪里？
When is your birthday?	你的生日是什么时候？
My birthday is in May.	我的生日在5月。
When will you come back?	你什么时候回来？
When did you come to Beijing?	你什么时候来北京的？
When does the train leave?	火车什么时候开？
When can we meet?	我们什么时候可以见面？
Why are you sad?	你为什么难过？
Why are you late?	你为什么迟到？
Why not?	为什么不？
Why do you like Chinese?	你为什么喜欢中文？
Because it is interesting.	因为它很有意思。
How much is it?	多少钱？
How much is this?	这个多少钱？
How much are these apples?	这些苹果多少钱？
It is too expensive.	太贵了。
It is very cheap.	非常便宜。
Can it be cheaper?	能便宜一点吗？
I will take this one.	我要这个。
Do you have a bigger one?	有大一点的吗？
Do you have a smaller one?	有小一点的吗？
How many people are there?	有几个人？
How many people are in your family?	你家有几口人？
How is the weather today?	今天天气怎么样？
How was your day?	你今天过得怎么样？
How was the movie?	电影怎么样？
How do you go to work?	你怎么去上班？
I go to work by subway.	我坐地铁去上班。
My father goes to work by car.	我爸爸开车去上班。
How long does it take?	要多长时间？
How far is the station?	车站有多远？
How do I get to the station?	去车站怎么走？
Go straight.	一直走。
Turn left.	向左转。
Turn right.	向右转。
Turn left at the bank.	在银行那里向左转。
It is near here.	离这里很近。
It is on your left.	在你的左边。
It is on your right.	在你的右边。
That is great!	太好了！
That is very good.	那非常好。
Very good.	很好。
Not bad.	不错。
It is not bad.	还不错。
That is a good idea.	这是个好主意。
That is too bad.	太遗憾了。
What a beautiful day!	天气真好！
What a cute dog!	多可爱的狗啊！
It is hot today.	今天很热。
It is cold today.	今天很冷。
It is very cold outside.	外面非常冷。
It is very hot outside.	外面非常热。
Is it cold outside?	外面冷吗？
It was very hot yesterday.	昨天非常热。
It was cold last night.	昨晚很冷。
It is warm today.	今天很暖和。
It is raining.	下雨了。
It is raining outside.	外面在下雨。
It is snowing.	下雪了。
It will rain tomorrow.	明天会下雨。
Will it rain tomorrow?	明天会下雨吗？
It rained yesterday.	昨天下雨了。
It is windy today.	今天风很大。
It is sunny today.	今天是晴天。
The weather is nice today.	今天天气很好。
The weather was bad yesterday.	昨天天气不好。
I like sunny days.	我喜欢晴天。
I don't like rainy days.	我不喜欢下雨天。
I like summer.	我喜欢夏天。
I like winter.	我喜欢冬天。
Spring is warm.	春天很暖和。
Summer is hot.	夏天很热。
Autumn is cool.	秋天很凉快。
Winter is cold.	冬天很冷。
What time is it?	现在几点？
What time is it now?	现在几点了？
It is half past 3.	现在3点半。
It is half past 10.	现在10点半。
What day is it today?	今天星期几？
What is the date today?	今天几号？
Today is May 1.	今天是5月1日。
I am late.	我迟到了。
We are late.	我们迟到了。
It is late.	很晚了。
It is time to go.	该走了。
It is time for dinner.	该吃晚饭了。
It is time to go to bed.	该睡觉了。
I have no time.	我没有时间。
I don't have time today.	我今天没有时间。
Do you have time tomorrow?	你明天有时间吗？
Are you free tonight?	你今晚有空吗？
I am free today.	我今天有空。
I am busy this week.	我这个星期很忙。
I have a lot of work today.	我今天有很多工作。
I have a lot of homework today.	我今天有很多作业。
Did you finish your homework?	你做完作业了吗？
I finished my homework.	我做完作业了。
Class is over.	下课了。
The class is very interesting.	这节课非常有意思。
The teacher is very kind.	老师非常和蔼。
Our school is very big.	我们的学校非常大。
There are 40 students in our class.	我们班有40个学生。
I am in the library.	我在图书馆。
I am hungry.	我饿了。
I am thirsty.	我渴了。
I am full.	我吃饱了。
I am tired.	我累了。
I am sleepy.	我困了。
I am sick.	我生病了。
I have a cold.	我感冒了。
I have a headache.	我头疼。
My stomach hurts.	我肚子疼。
You should see a doctor.	你应该去看医生。
Take this medicine.	吃这个药。
I feel better now.	我现在好多了。
I am bored.	我很无聊。
I am so happy!	我太高兴了！
I am very happy today.	我今天非常高兴。
What do you want to eat?	你想吃什么？
What do you want to drink?	你想喝什么？
Would you like some tea?	你想喝点茶吗？
Would you like some coffee?	你想喝点咖啡吗？
Yes, please.	好的，谢谢。
No, thank you.	不用了，谢谢。
Breakfast is ready.	早饭做好了。
Dinner is ready.	晚饭做好了。
Did you eat breakfast today?	你今天吃早饭了吗？
I didn't eat breakfast today.	我今天没吃早饭。
The food here is very good.	这里的菜非常好吃。
This restaurant is very popular.	这家餐厅非常受欢迎。
The bill, please.	请买单。
A cup of coffee, please.	请来一杯咖啡。
2 bowls of noodles, please.	请来2碗面条。
The menu, please.	请给我菜单。
Can I pay by card?	可以刷卡吗？
My mother cooks very well.	我妈妈做饭做得很好。
My father is cooking dinner.	我爸爸在做晚饭。
We eat dumplings at New Year.	我们过年吃饺子。
I love you.	我爱你。
I miss you.	我想你。
I miss my mother.	我想我妈妈。
I like you.	我喜欢你。
I like this song.	我喜欢这首歌。
I like this color.	我喜欢这个颜色。
What color do you like?	你喜欢什么颜色？
My favorite color is blue.	我最喜欢的颜色是蓝色。
My favorite fruit is apples.	我最喜欢的水果是苹果。
What is your favorite food?	你最喜欢的食物是什么？
What sports do you like?	你喜欢什么运动？
What is your hobby?	你的爱好是什么？
My hobby is reading.	我的爱好是读书。
What do you do?	你是做什么工作的？
I am a teacher.	我是老师。
I work here.	我在这里工作。
I have to go now.	我现在得走了。
I have to work tomorrow.	我明天得工作。
I must go home now.	我现在必须回家。
I can do it.	我能做到。
I can't do it.	我做不到。
Can I come in?	我可以进来吗？
Can I sit here?	我可以坐这里吗？
Can I help you?	我能帮你吗？
Can I ask you a question?	我可以问你一个问题吗？
Can you speak Chinese?	你会说中文吗？
Can you come tomorrow?	你明天能来吗？
Can you come to my party?	你能来参加我的聚会吗？
I will come tomorrow.	我明天会来。
Tom came yesterday.	汤姆昨天来了。
Mary will come back tomorrow.	玛丽明天会回来。
He is not at home now.	他现在不在家。
My father is not at home.	我爸爸不在家。
I can't find my keys.	我找不到我的钥匙了。
I lost my phone.	我的手机丢了。
I found my wallet.	我找到我的钱包了。
Where is my wallet?	我的钱包在哪里？
It is on the table.	在桌子上。
It is under the bed.	在床下面。
The keys are in my bag.	钥匙在我的包里。
The cat is under the table.	猫在桌子下面。
The book is on the desk.	书在书桌上。
The children are in the garden.	孩子们在花园里。
My house is near the park.	我家在公园附近。
My school is far from my home.	我的学校离我家很远。
I live near the station.	我住在车站附近。
I live with my parents.	我和父母住在一起。
My brother lives in Shanghai.	我哥哥住在上海。
This is my family.	这是我的家人。
I have a big family.	我有一个大家庭。
I have 2 brothers and a sister.	我有2个哥哥和一个姐姐。
My mother is a doctor.	我妈妈是医生。
My father is a teacher.	我爸爸是老师。
My sister is a nurse.	我姐姐是护士。
My grandmother is 80 years old.	我奶奶80岁了。
My grandfather likes to drink tea.	我爷爷喜欢喝茶。
My son is 5 years old.	我儿子5岁。
My daughter likes to draw.	我女儿喜欢画画。
Tom and Mary are friends.	汤姆和玛丽是朋友。
Tom and Mary are students.	汤姆和玛丽是学生。
We are good friends.	我们是好朋友。
He is my best friend.	他是我最好的朋友。
She is my classmate.	她是我的同学。
They are my neighbors.	他们是我的邻居。
Tom is a good student.	汤姆是个好学生。
Mary is a good teacher.	玛丽是个好老师。
He is a kind man.	他是个善良的人。
She is a beautiful girl.	她是个漂亮的女孩。
Tom is taller than his father.	汤姆比他爸爸高。
My brother is 3 years older than me.	我哥哥比我大3岁。
I have a question.	我有一个问题。
I have an idea.	我有一个主意。
I have good news.	我有好消息。
This is for you.	这是给你的。
This is my phone number.	这是我的电话号码。
My phone number is 12345678.	我的电话号码是12345678。
Call me at 8 o'clock.	8点给我打电话。
I will call you tonight.	我今晚会给你打电话。
Who is calling?	请问是谁？
Hello, this is Tom.	你好，我是汤姆。
Is Mary there?	玛丽在吗？
She is not here now.	她现在不在这里。
Please call back later.	请稍后再打来。
I am going to Beijing tomorrow.	我明天要去北京。
I am going shopping.	我要去买东西。
I went shopping yesterday.	我昨天去买东西了。
Let's go shopping.	我们去买东西吧。
We went to the beach last summer.	我们去年夏天去了海边。
We had a good time.	我们玩得很开心。
I want to go to China.	我想去中国。
I want to travel around the world.	我想环游世界。
I like traveling.	我喜欢旅行。
I want to be a doctor.	我想当医生。
She wants to be a teacher.	她想当老师。
He wants to be a singer.	他想当歌手。
I got up late today.	我今天起得很晚。
I went to bed early last night.	我昨晚睡得很早。
I slept well last night.	我昨晚睡得很好。
I didn't sleep well.	我没睡好。
I am going to bed.	我要去睡觉了。
I take a shower every morning.	我每天早上都洗澡。
Wash your hands.	洗手。
Brush your teeth.	刷牙。
Clean your room.	打扫你的房间。
Put on your coat.	穿上你的外套。
Take off your shoes.	脱下你的鞋。
The door is open.	门开着。
The window is closed.	窗户关着。
The light is on.	灯开着。
The store is closed today.	商店今天不开门。
The bus is coming.	公交车来了。
The train is late.	火车晚点了。
We missed the bus.	我们没赶上公交车。
The movie was very interesting.	电影非常有意思。
The game was very exciting.	比赛非常精彩。
Our team won.	我们队赢了。
They lost the game.	他们输了比赛。
I won.	我赢了。
I lost.	我输了。
Tom is playing with the dog.	汤姆在和狗玩。
The baby is sleeping.	宝宝在睡觉。
The baby is crying.	宝宝在哭。
The dog is barking.	狗在叫。
The birds are singing.	鸟在唱歌。
The sun is very bright.	太阳非常亮。
The moon is beautiful tonight.	今晚的月亮很美。
There are many stars in the sky.	天上有很多星星。
This river is very long.	这条河非常长。
This mountain is very high.	这座山非常高。
The sea is blue.	大海是蓝色的。
The sky is blue.	天空是蓝色的。
The grass is green.	草是绿色的。
Snow is white.	雪是白色的。
My car is red.	我的车是红色的。
Her dress is white.	她的裙子是白色的。
What color is your bag?	你的包是什么颜色的？
My bag is black.	我的包是黑色的。
1 plus 1 is 2.	1加1等于2。
2 plus 3 is 5.	2加3等于5。
10 minus 4 is 6.	10减4等于6。
I can count to 10.	我会数到10。
I have 100 yuan.	我有100块钱。
I only have 5 yuan.	我只有5块钱。
I don't have any money.	我没有钱。
Money is not everything.	钱不是万能的。
Time is money.	时间就是金钱。
Practice makes perfect.	熟能生巧。
Learning Chinese is fun.	学中文很有意思。
I study Chinese every day.	我每天都学习中文。
My Chinese is not very good.	我的中文不太好。
Your English is very good.	你的英语非常好。
I can read Chinese.	我能看懂中文。
I can't write Chinese characters.	我不会写汉字。
This word is difficult.	这个词很难。
This question is easy.	这个问题很容易。
I know the answer.	我知道答案。
I forgot his name.	我忘了他的名字。
I remember you.	我记得你。
Do you remember me?	你还记得我吗？
I believe you.	我相信你。
I trust you.	我信任你。
Listen to me.	听我说。
Look at this.	看这个。
Look!	看！
Listen!	听！
Stop!	停！
Run!	快跑！
Wait!	等等！
Come on!	加油！
"""


def hand_pairs():
    out = []
    for line in HAND.splitlines():
        if not line.strip():
            continue
        en, zh = line.split('\t')
        out.append((en, zh))
    return out


# --------------------------------------------------------------------------------------
# Assembly

def finish(en, zh):
    return cap(en), zh


def check_pair(en, zh):
    """Basic hygiene; raises on anything malformed."""
    assert '\t' not in en and '\t' not in zh and '\n' not in en + zh, (en, zh)
    assert en == en.strip() and '  ' not in en, (en,)
    assert en[-1] in '.?!', (en,)
    assert zh[-1] in '。？！', (zh,)
    assert ' ' not in zh, (zh,)   # no spaces on the Chinese side
    for ch in ',.?!:;':
        assert ch not in zh, (zh, ch)
    assert not any('\u4e00' <= c <= '\u9fff' for c in en), (en,)
    assert '{' not in en and '{' not in zh, (en, zh)


def generate():
    rng = random.Random(SEED)
    seen = {}          # English -> Chinese (all pairs chosen so far, corpus and dev)
    corpus, dev = [], []
    conflicts = []

    def add(en, zh, dest, hand=False):
        if en in hand_en and not hand:
            return False     # a hand-written pair wins over a generated one
        if en in seen:
            if seen[en] != zh:
                conflicts.append((en, seen[en], zh))
            return False
        check_pair(en, zh)
        seen[en] = zh
        dest.append((en, zh))
        return True

    hand_en = set()
    for en, zh in hand_pairs():
        add(en, zh, corpus, hand=True)
        hand_en.add(en)
    n_hand = len(corpus)

    leftovers = {}
    for name, quota, f in TEMPLATES:
        quota = max(4, round(quota * SCALE))
        got, tries, pool = 0, 0, []
        while got < quota and tries < quota * 60:
            tries += 1
            p = f(rng)
            if p is None or len(p[0].split()) > MAX_WORDS:
                continue
            en, zh = finish(*p)
            if add(en, zh, corpus):
                got += 1
        # a few more from the same template, kept back for dev
        tries = 0
        while len(pool) < 3 and tries < 400:
            tries += 1
            p = f(rng)
            if p is None or len(p[0].split()) > MAX_WORDS:
                continue
            en, zh = finish(*p)
            if en not in seen and (en, zh) not in pool:
                check_pair(en, zh)
                pool.append((en, zh))
        leftovers[name] = pool

    if conflicts:
        for c in conflicts:
            print('conflict:', c, file=sys.stderr)
        sys.exit('make_corpus: the same English sentence got two translations')

    # held-out set: pairs whose every English word and Chinese character occurs in the corpus
    en_vocab = set()
    zh_vocab = set()
    for en, zh in corpus:
        en_vocab.update(words(en))
        zh_vocab.update(zh)
    names = [n for n, _, _ in TEMPLATES]
    rng.shuffle(names)
    rnd = 0
    while len(dev) < DEV_TARGET and rnd < 3:
        for name in names:
            if len(dev) >= DEV_TARGET:
                break
            pool = leftovers[name]
            if len(pool) <= rnd:
                continue
            en, zh = pool[rnd]
            if en in seen:
                continue
            if set(words(en)) <= en_vocab and set(zh) <= zh_vocab:
                add(en, zh, dev)
        rnd += 1

    rng.shuffle(corpus)
    rng.shuffle(dev)
    return corpus, dev, n_hand


def words(en):
    out = []
    for w in en.replace(',', ' ').replace('.', ' ').replace('?', ' ').replace('!', ' ').split():
        out.append(w.lower())
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), 'data'), help='output directory (default: data/)')
    args = ap.parse_args()
    corpus, dev, n_hand = generate()
    os.makedirs(args.out, exist_ok=True)
    for fname, rows in (('corpus.tsv', corpus), ('dev.tsv', dev)):
        with open(os.path.join(args.out, fname), 'w', encoding='utf-8', newline='\n') as fh:
            for en, zh in rows:
                fh.write(f'{en}\t{zh}\n')
    print(f'make_corpus: {len(corpus)} pairs in corpus.tsv ({n_hand} hand-written, '
          f'{len(corpus) - n_hand} from {len(TEMPLATES)} templates), {len(dev)} in dev.tsv',
          file=sys.stderr)


if __name__ == '__main__':
    main()
