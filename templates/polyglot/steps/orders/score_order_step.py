from motia import enqueue, logger, queue, stateManager

# Orders over this total are held for a review.
REVIEW_ABOVE = 500

config = {
    "name": "ScoreOrder",
    "description": "Totals and scores the order (Python), then hands it to the notifier",
    "flows": ["orders"],
    "triggers": [queue("order.placed")],
    "enqueues": ["order.scored"],
}


def handler(order, ctx):
    total = round(sum(i["quantity"] * i["price"] for i in order["items"]), 2)
    status = "review" if total > REVIEW_ABOVE else "accepted"
    scored = {"id": order["id"], "customer": order["customer"], "total": total, "status": status}
    stateManager.set("orders", order["id"], scored)
    logger.info("order scored", {"id": order["id"], "total": total, "status": status})
    enqueue({"topic": "order.scored", "data": scored})
