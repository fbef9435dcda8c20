#!/usr/bin/env python3
"""An independent verifier of the shop's draws, written from docs/fairness.md alone (standard library only).

Reads a JSON array (or one object) from a file or stdin: draw proofs as GET /api/proofs/:orderId/:unit
returns them, and whole sets as GET /api/sets/:setId returns them once sold out. Checks every seed against
its commitment, recomputes every draw, checks every shopper-box chain it can see, and every set.
Prints one line per entry and exits 1 if anything does not match.

    python3 tools/verify_draws.py proofs.json

Or checks a box's whole public draw log, fetched from a running shop ("The public draw log" and "Checking a
box's log" in docs/fairness.md): every draw, every shopper's chain and sequence numbers, every seed against the
published history, and for a whole-set box every set, the block rule and the retire rule.

    python3 tools/verify_draws.py --server http://127.0.0.1:3000 --box <boxId>
"""
import hashlib
import hmac
import json
import struct
import sys
import urllib.request

RARITIES = ["COMMON", "RARE", "EPIC", "SECRET"]


def rarer_or_equal(rarity, minimum):
    return RARITIES.index(rarity) >= RARITIES.index(minimum)


def ticket(server_seed, base_message, total):
    limit = 2**32 - (2**32 % total)
    key = server_seed.encode("utf-8")
    round_ = 0
    while True:
        message = base_message if round_ == 0 else f"{base_message}:{round_}"
        digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
        for word in struct.unpack(">8I", digest):
            if word < limit:
                return word % total
        round_ += 1


def message_of(entry):
    """Round 0's message: version 2 signs clientSeed:nonce:unit, version 1 (older draws) clientSeed:orderId:unitIndex."""
    if entry.get("messageVersion", 1) == 2:
        return f"{entry['clientSeed']}:{entry['nonce']}:{entry['unit']}"
    return f"{entry['clientSeed']}:{entry['orderId']}:{entry['unitIndex']}"


def draw(proof):
    """Returns (productId, forced, missesAfter); raises ValueError for a due guarantee with nothing eligible."""
    guarantee = proof.get("guarantee")
    misses = proof["missesBefore"]
    forced = guarantee is not None and misses >= guarantee["within"] - 1
    exhausted = set(proof.get("exhausted") or [])

    def tickets(product):
        if product["productId"] in exhausted:
            return 0
        if forced and not rarer_or_equal(product["rarity"], guarantee["minRarity"]):
            return 0
        return product["weight"]

    total = sum(tickets(p) for p in proof["products"])
    if total == 0:
        raise ValueError("guarantee due with no eligible item" if forced else "nothing left to draw")
    t = ticket(proof["serverSeed"], message_of(proof), total)
    for product in proof["products"]:
        n = tickets(product)
        if t < n:
            hit = guarantee is not None and rarer_or_equal(product["rarity"], guarantee["minRarity"])
            after = 0 if guarantee is None or hit else misses + 1
            return product["productId"], forced, after
        t -= n
    raise AssertionError("ticket beyond total")


def verify_draw(proof, name=None):
    name = name or f"order {proof['orderId']} unit {proof['unitIndex']}"
    if proof.get("serverSeed") is None:
        return False, f"PENDING   {name}: seed not revealed"
    if hashlib.sha256(proof["serverSeed"].encode("utf-8")).hexdigest() != proof["serverSeedHash"]:
        return False, f"MISMATCH  {name}: seed does not hash to its commitment"
    try:
        product, forced, _ = draw(proof)
    except ValueError as error:
        return False, f"MISMATCH  {name}: {error}"
    if product != proof["productId"] or forced != proof["forced"]:
        return False, f"MISMATCH  {name}: recorded {proof['productId']} forced={proof['forced']}, recomputed {product} forced={forced}"
    return True, f"OK        {name}: {product}{' (forced)' if forced else ''}"


def follows_series(arrangement, series):
    if len(set(arrangement)) != len(arrangement):
        return False
    missing = [p for p in series["regular"] if p not in arrangement]
    extra = [p for p in arrangement if p not in series["regular"]]
    if not missing and not extra:
        return True
    return len(missing) == 1 and len(extra) == 1 and extra[0] in series["secret"]


def verify_set(s):
    name = f"set {s['id']} (#{s['number']})"
    if s.get("arrangement") is None or s.get("salt") is None or s.get("sales") is None:
        return False, f"PENDING   {name}: not revealed"
    text = json.dumps(s["arrangement"], separators=(",", ":"), ensure_ascii=False) + s["salt"]
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != s["commitment"]:
        return False, f"MISMATCH  {name}: commitment"
    if len(s["arrangement"]) != s["positions"]:
        return False, f"MISMATCH  {name}: size"
    if s.get("series") and not follows_series(s["arrangement"], s["series"]):
        return False, f"MISMATCH  {name}: not the series"
    seen = set()
    for sale in s["sales"]:
        p = sale["position"]
        if p in seen or not 0 <= p < len(s["arrangement"]) or s["arrangement"][p] != sale["productId"]:
            return False, f"MISMATCH  {name}: sale at position {p}"
        seen.add(p)
    return True, f"OK        {name}: {len(s['sales'])} sale(s)"


def verify_chains(proofs):
    """Within one order and box, each unit's missesBefore is the previous unit's missesAfter."""
    lines = []
    by_line = {}
    for proof in proofs:
        by_line.setdefault((proof["orderId"], proof["boxId"]), []).append(proof)
    for (order, box), units in by_line.items():
        units.sort(key=lambda p: p["unitIndex"])
        for before, after in zip(units, units[1:]):
            if before.get("serverSeed") is None or before.get("guarantee") is None:
                continue
            if draw(before)[2] != after["missesBefore"]:
                lines.append((False, f"MISMATCH  order {order} unit {after['unitIndex']}: missesBefore does not follow unit {before['unitIndex']}"))
    return lines


def fetch_all(url_of, items_key, next_key):
    items, cursor = [], None
    while True:
        with urllib.request.urlopen(url_of(cursor)) as response:
            page = json.load(response)
        items.extend(page[items_key])
        cursor = page[next_key]
        if cursor is None:
            return items


def verify_log(entries, seeds):
    """Every entry of a box's log, in log order, and the rules across entries."""
    results = []
    published = {s["id"]: s for s in seeds}
    last = {}
    used = {}
    previous_seq = 0
    for e in entries:
        name = f"#{e['seq']} shopper {e['shopper']} nonce {e['nonce']} unit {e['unit']}"
        bad = lambda text: results.append((False, f"MISMATCH  {name}: {text}"))
        if e["seq"] <= previous_seq:
            bad(f"log sequence does not follow {previous_seq}")
        previous_seq = e["seq"]
        seed = published.get(e["seedId"])
        after = None
        if seed is None or seed["hash"] != e["serverSeedHash"]:
            bad("its seed hash is not in the published seed history")
        elif not seed["committedAt"] < e["drawnAt"]:
            bad("its seed was committed after the draw")
        elif e["message"] != message_of(e):
            bad("message is not clientSeed:nonce:unit")
        elif e.get("serverSeed") is None:
            results.append((False, f"PENDING   {name}: seed not revealed"))
        else:
            ok, line = verify_draw(dict(e, orderId=None, unitIndex=None), name)
            results.append((ok, line))
            if ok:
                after = draw(e)[2]
        before = last.get(e["shopper"])
        seen = used.setdefault(e["shopper"], set())
        if before and before["nonce"] == e["nonce"]:
            if e["unit"] != before["unit"] + 1:
                bad("unit does not follow the previous unit of its line")
        else:
            if e["nonce"] in seen:
                bad("nonce already used by another line of this shopper")
            if before and e["nonce"] < before["nonce"]:
                bad("nonce smaller than the shopper's previous one")
            if e["unit"] != 0:
                bad("a line does not start at unit 0")
        if e.get("guarantee") and before and before["after"] is not None and e["missesBefore"] != before["after"]:
            bad(f"missesBefore {e['missesBefore']} but the shopper's previous draw left {before['after']}")
        seen.add(e["nonce"])
        last[e["shopper"]] = {"nonce": e["nonce"], "unit": e["unit"], "after": after}
    return results


def verify_blocks(sets):
    """At most one set of each block carries a secret; a retired set never took an unsold secret off sale."""
    results = []
    blocks = {}
    for s in sets:
        if s.get("arrangement") is None:
            continue
        secret_at = [p for p, product in enumerate(s["arrangement"]) if product in s["series"]["secret"]]
        if not secret_at:
            continue
        if s["secretEvery"] is None:
            results.append((False, f"MISMATCH  set #{s['number']}: a secret in a box whose sets carry none"))
            continue
        blocks.setdefault((s["number"] - 1) // s["secretEvery"], []).append(s["number"])
        sold = {sale["position"] for sale in s["sales"] or []}
        if s["state"] == "RETIRED" and any(p not in sold for p in secret_at):
            results.append((False, f"MISMATCH  set #{s['number']}: retired with its secret unsold"))
    for block, numbers in sorted(blocks.items()):
        ok = len(numbers) == 1
        results.append((ok, f"{'OK       ' if ok else 'MISMATCH '} block {block + 1}: secret in set(s) {numbers}"))
    return results


def verify_box(server, box):
    base = f"{server.rstrip('/')}/api/fairness/boxes/{box}"
    entries = fetch_all(lambda after: f"{base}/draws?limit=500&after={after or 0}", "items", "nextAfter")
    seeds = fetch_all(lambda before: f"{base}/seeds?limit=500" + ("" if before is None else f"&before={before}"), "items", "nextBefore")
    sets = fetch_all(lambda after: f"{base}/sets?limit=500&after={after or 0}", "items", "nextAfter")
    print(f"box {box}: {len(entries)} draw(s), {len(seeds)} seed(s), {len(sets)} set(s)")
    return verify_log(entries, seeds) + [verify_set(s) for s in sets] + verify_blocks(sets)


def main():
    if "--server" in sys.argv:
        args = sys.argv[1:]
        results = verify_box(args[args.index("--server") + 1], args[args.index("--box") + 1])
        for _, line in results:
            print(line)
        sys.exit(0 if all(ok for ok, _ in results) else 1)
    source = open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 and sys.argv[1] != "-" else sys.stdin
    data = json.load(source)
    entries = data if isinstance(data, list) else [data]
    sets = [e for e in entries if "commitment" in e and "grid" in e]
    proofs = [e for e in entries if not ("commitment" in e and "grid" in e)]
    results = [verify_set(s) for s in sets] + [verify_draw(p) for p in proofs] + verify_chains(proofs)
    for _, line in results:
        print(line)
    sys.exit(0 if all(ok for ok, _ in results) else 1)


if __name__ == "__main__":
    main()
