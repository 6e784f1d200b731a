"""Quire's relevance set: 50 notes with a keyword query and a paraphrase query each (100
queries), among 160 distractor notes (210 notes in all). A paraphrase shares no content word
with its note, so only meaning can find it; distractors share words with the notes so that
words alone are ambiguous. Written for Quire's tests; deterministic (no randomness)."""

from __future__ import annotations

# (title, text, keyword query, paraphrase query)
TARGETS: list[tuple[str, str, str, str]] = [
    ("Refund policy", "Customers may return a purchase within thirty days and we reimburse the full price to the original card.", "refund purchase", "how do I get my money back"),
    ("Password reset", "Open the sign-in page, choose forgot password and follow the emailed link to choose a new one.", "forgot password", "I can't log in to my account anymore"),
    ("Office wifi", "The network name is QuireGuest and the passphrase hangs on the kitchen noticeboard.", "network passphrase", "how do I connect my laptop to the internet at work"),
    ("Parental leave", "Employees receive sixteen weeks of paid leave after the birth or adoption of a child.", "paid leave adoption", "time off when having a baby"),
    ("Expense claims", "Submit receipts within a month through the finance portal; meals are capped at forty euros.", "receipts finance portal", "getting reimbursed for a work dinner"),
    ("Fire drill", "When the alarm sounds, leave by the nearest stairs and gather at the car park across the street.", "alarm stairs", "what to do in an emergency evacuation"),
    ("Sourdough starter", "Feed the culture daily with equal weights of flour and water and keep it at room temperature.", "culture flour water", "keeping the yeast for bread alive"),
    ("Tomato blight", "Brown spots on leaves spread in wet weather; remove affected foliage and avoid watering from above.", "brown spots leaves", "my vegetable plants are getting sick"),
    ("Car insurance renewal", "The policy renews on the first of March; compare quotes a month before and check the excess.", "policy renews quotes", "paying less to cover my vehicle"),
    ("Marathon training", "Build weekly mileage slowly, add one long run each Sunday and taper for two weeks before the race.", "weekly mileage taper", "preparing to run forty two kilometres"),
    ("Dentist appointment", "Check-up and cleaning booked for Tuesday at nine; bring the insurance card.", "check-up cleaning", "when am I seeing someone about my teeth"),
    ("Server outage postmortem", "The database ran out of disk at 02:10; alerts fired late and the failover did not trigger.", "database disk failover", "why the site went down last night"),
    ("Onboarding checklist", "New hires get a laptop, an account, a buddy and a thirty minute tour on day one.", "new hires laptop buddy", "what happens on someone's first day"),
    ("Quarterly budget", "Marketing spend rises ten percent while travel is frozen until the next review.", "marketing spend travel frozen", "how much money each team gets this season"),
    ("Cat vaccinations", "The kitten needs its second shot at twelve weeks and a rabies booster every year.", "kitten rabies booster", "jabs for my pet"),
    ("Moving house", "Book the van, redirect post, read the meters and tell the council about the new address.", "van redirect meters", "things to do before relocating"),
    ("Wedding speech", "Open with a short story about the couple, thank the parents and keep it under five minutes.", "couple thank parents", "what to say as best man"),
    ("Tax return", "Self assessment is due by the end of January; keep invoices and pension statements together.", "self assessment invoices", "filing what I owe the government"),
    ("Bike repair", "A flat tyre needs a patch kit, two levers and a pump; check the rim for thorns first.", "flat tyre patch levers", "fixing a puncture on my bicycle"),
    ("Sleep hygiene", "Keep a fixed bedtime, avoid screens an hour before and keep the bedroom cool and dark.", "bedtime screens bedroom", "tips for resting better at night"),
    ("Garden compost", "Mix green kitchen scraps with brown cardboard and turn the heap every few weeks.", "kitchen scraps cardboard heap", "recycling food waste for the soil"),
    ("Code review guidelines", "Keep pull requests small, explain why in the description and answer every comment.", "pull requests description comment", "how to give feedback on a colleague's changes"),
    ("Vacation in Lisbon", "Stay in Alfama, ride tram 28, eat custard tarts in Belém and watch the sunset at a miradouro.", "Alfama tram custard tarts", "holiday ideas for Portugal's capital"),
    ("Home printer setup", "Install the driver, join the printer to the network and print a test page from settings.", "driver printer test page", "getting documents onto paper from my computer"),
    ("Interview questions", "Ask about a project they are proud of, a conflict they resolved and what they want to learn.", "project proud conflict resolved", "what to ask job candidates"),
    ("Houseplant watering", "Water the fern weekly, the cactus monthly and mist the orchid when the air is dry.", "fern cactus orchid", "keeping indoor greenery alive"),
    ("Meeting etiquette", "Send an agenda a day ahead, start on time and end with owners for every action.", "agenda owners action", "running productive get-togethers with the team"),
    ("Chili recipe", "Brown the beef, add beans, tomatoes, cumin and smoked paprika, and simmer for an hour.", "beef beans cumin paprika", "a spicy stew for dinner"),
    ("Laptop backup", "An external drive keeps hourly snapshots; a copy of the photos also goes to the cloud monthly.", "external drive snapshots", "making sure I don't lose my files"),
    ("Book club list", "Next month we read a novel about a lighthouse keeper; bring questions about chapter four.", "novel lighthouse keeper", "what our reading group is doing"),
    ("Visa application", "The embassy wants a passport photo, a bank statement and proof of accommodation.", "embassy passport photo statement", "paperwork to travel abroad"),
    ("Knee injury", "Rest, ice, compression and elevation for three days; see a physio if the swelling stays.", "ice compression physio swelling", "I hurt my leg playing football"),
    ("Electricity bill", "The bill doubled because the estimate was wrong; send a meter reading and ask for a correction.", "meter reading estimate", "why my power costs so much this month"),
    ("Release process", "Tag the version, build the artifacts, run the smoke tests and announce in the changelog.", "tag version smoke tests changelog", "steps to ship a new software version"),
    ("Coffee machine cleaning", "Descale with citric acid monthly and rinse the milk wand after every use.", "descale citric milk wand", "looking after the espresso maker"),
    ("Volunteer day", "The team spends Friday at the food bank sorting donations from nine to three.", "food bank donations", "helping the community together"),
    ("Guitar practice", "Fifteen minutes of scales, then chord changes between G, C and D, then one song.", "scales chord changes", "learning to play a string instrument"),
    ("Kitchen renovation", "The quote covers new cabinets, a quartz worktop and moving the sink under the window.", "cabinets quartz worktop sink", "redoing where we cook"),
    ("Newsletter plan", "Send on the first Monday; feature one customer story and one product tip each issue.", "customer story product tip", "our monthly email to subscribers"),
    ("Jet lag", "Shift meals and sleep an hour a day before flying east and get morning light on arrival.", "flying east morning light", "feeling tired after a long flight across time zones"),
    ("Security incident", "A phishing email stole one password; we reset it, enabled two-factor and warned staff.", "phishing two-factor", "someone hacked an account"),
    ("Dog training", "Reward sitting with a treat immediately and keep sessions short and cheerful.", "reward sitting treat", "teaching my puppy to behave"),
    ("Solar panels", "Twelve panels on the south roof produce about four megawatt hours a year.", "panels south roof megawatt", "making our own power from the sun"),
    ("Birthday party", "Hire the community hall, order a cake with candles and send invitations two weeks ahead.", "hall cake candles invitations", "celebrating my daughter turning seven"),
    ("Customer churn", "Most cancellations come in the second month, after the trial discount ends.", "cancellations trial discount", "why clients leave us"),
    ("Car maintenance", "Oil change every ten thousand kilometres, tyre rotation at the same time, brakes checked yearly.", "oil change tyre rotation brakes", "keeping my vehicle running well"),
    ("Pension contributions", "The employer matches up to five percent of salary into the retirement fund.", "employer matches salary", "saving for when I stop working"),
    ("Hiking gear", "Pack a waterproof jacket, a map, a headlamp, snacks and two litres of water.", "waterproof jacket headlamp", "what to bring on a mountain walk"),
    ("Accessibility audit", "Every image needs alt text, contrast must pass AA and every control must work with the keyboard.", "alt text contrast keyboard", "making our website usable for people with disabilities"),
    ("Noise complaint", "The neighbours play music after midnight; write to the landlord and log the dates.", "neighbours music landlord", "the people next door are too loud"),
]

_PLACES = ["Berlin office", "warehouse", "kitchen", "garden", "studio", "basement", "attic", "shop floor"]
_THINGS = ["invoices", "flour", "passwords", "tomatoes", "bicycles", "printers", "music", "coffee",
           "budget", "insurance", "laptops", "candles", "meters", "tyres", "alarms", "leaves"]
_VERBS = ["reviewed", "ordered", "counted", "cleaned", "moved", "discussed", "checked", "labelled"]


def distractors() -> list[tuple[str, str]]:
    """160 short log notes that reuse the targets' vocabulary in unrelated sentences."""
    notes = []
    for i in range(160):
        place, verb = _PLACES[i % len(_PLACES)], _VERBS[(i // 3) % len(_VERBS)]
        first, second = _THINGS[i % len(_THINGS)], _THINGS[(i * 7 + 3) % len(_THINGS)]
        notes.append((f"Log {i:03d}", f"In the {place} we {verb} the {first} and the {second}. "
                      f"Nothing else happened on day {i}; follow up next week about the {first}."))
    return notes


def notes() -> list[tuple[str, str]]:
    """Every note of the set: ``(title, Markdown text)``."""
    return [(t, f"# {t}\n{body}") for t, body, _, _ in TARGETS] + distractors()


def queries() -> list[tuple[str, str, str]]:
    """``(query, kind, title of the one relevant note)``, kind ``keyword`` or ``paraphrase``."""
    out = []
    for title, _, words, paraphrase in TARGETS:
        out += [(words, "keyword", title), (paraphrase, "paraphrase", title)]
    return out
