"""Flowcharts and network diagrams: steps and edges read from the request,
laid out with networkx, drawn with matplotlib."""

from __future__ import annotations

import re
from itertools import pairwise

from app.services.llm.offline.codegen.request import slug
from app.services.llm.offline.codegen.snippets import block

ARROW = re.compile(r"\s*(?:-+>|→|=+>|⟶|➔)\s*")

KNOWN_PROCESSES = {
    "scientific method": ["Ask a question", "Do background research", "Form a hypothesis",
                          "Test with an experiment", "Analyse the data", "Draw a conclusion",
                          "Communicate results"],
    "data analysis": ["Collect data", "Clean data", "Explore data", "Model", "Interpret results",
                      "Report"],
    "software development": ["Requirements", "Design", "Implementation", "Testing", "Deployment",
                             "Maintenance"],
    "machine learning": ["Collect data", "Prepare data", "Train model", "Evaluate model",
                         "Deploy model", "Monitor"],
}

_LEAD = re.compile(
    r"^.*?(?:\b(?:flow\s*chart|flowchart|diagram|workflow|graph|mind map|process|pipeline|network)\b\s*)+"
    r"(?:(?:of|for|showing|that shows|with|describing|about)\b)?\s*:?\s*",
    re.IGNORECASE,
)


def clean_label(text: str) -> str:
    text = re.sub(r"^\s*(?:\d+[.)]|[-*•])\s*", "", text)
    text = re.sub(r"^\s*(?:and then|then|and|finally|first|next)\s+", "", text, flags=re.IGNORECASE)
    text = text.strip(" .;:'\"`")
    return text[:1].upper() + text[1:] if text else ""


def parse_steps(request: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(nodes in order, edges) from 'A -> B -> C', 'A -> B; A -> C', or a list of steps."""
    body = request.strip()
    has_lead = True
    if ":" in body:
        _, _, tail = body.partition(":")
        if tail.strip():
            body, has_lead = tail, False
    nodes: list[str] = []
    edges: list[tuple[str, str]] = []

    def add(node: str) -> str:
        if node not in nodes:
            nodes.append(node)
        return node

    if ARROW.search(body):
        for statement in re.split(r"[;\n]+", body):
            parts = ARROW.split(statement)
            if len(parts) < 2:
                continue
            if has_lead:
                parts[0] = _LEAD.sub("", parts[0], count=1)
            groups = [[clean_label(x) for x in part.split(",") if clean_label(x)] for part in parts]
            groups = [g for g in groups if g]
            for left, right in pairwise(groups):
                for a in left:
                    for b in right:
                        edge = (add(a), add(b))
                        if edge not in edges:
                            edges.append(edge)
        return nodes[:20], [e for e in edges if e[0] in nodes[:20] and e[1] in nodes[:20]]

    text = _LEAD.sub("", body, count=1) if has_lead else body
    low = text.lower()
    for name, steps in KNOWN_PROCESSES.items():
        if name in low and not re.search(r",|\bthen\b|\n", text):
            chain = steps
            break
    else:
        chain = [clean_label(x) for x in re.split(r",|;|\n|\bthen\b|\band then\b", text)]
        chain = [x for x in chain if x]
    chain = chain[:15]
    for a, b in pairwise(chain):
        edges.append((add(a), add(b)))
    if len(chain) == 1:
        add(chain[0])
    return nodes, edges


DIAGRAM = '''
import textwrap

import networkx as nx

steps = {nodes!r}
edges = {edges!r}
G = nx.DiGraph()
G.add_nodes_from(steps)
G.add_edges_from(edges)

# Lay steps out top to bottom by their longest path from a start; cycles fall back to a spring layout.
if nx.is_directed_acyclic_graph(G):
    level = {{}}
    for node in nx.topological_sort(G):
        parents = list(G.predecessors(node))
        level[node] = max(level[p] + 1 for p in parents) if parents else 0
    rows = {{}}
    for node in steps:
        rows.setdefault(level[node], []).append(node)
    pos = {{}}
    for depth, row in rows.items():
        for i, node in enumerate(row):
            pos[node] = ((i - (len(row) - 1) / 2.0) * 3.2, -depth * 1.5)
    width, height = max(len(r) for r in rows.values()), len(rows)
else:
    spring = nx.spring_layout(G, seed=7)
    pos = {{node: (float(xy[0]) * 4.0, float(xy[1]) * 4.0) for node, xy in spring.items()}}
    width, height = 3, 4

fig, ax = plt.subplots(figsize=(max(6, 3.2 * width), max(4, 1.5 * height + 1)))
for a, b in G.edges():
    ax.annotate("", xy=pos[b], xytext=pos[a],
                arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.6, shrinkA=24, shrinkB=24))
for node in G.nodes():
    x, y = pos[node]
    if G.in_degree(node) == 0:
        face, edge = "#DFF5E1", "#2E7D32"
    elif G.out_degree(node) == 0:
        face, edge = "#FDEBD3", "#E65100"
    else:
        face, edge = "#E8F0FE", "#3367D6"
    ax.text(x, y, textwrap.fill(str(node), 20), ha="center", va="center", fontsize=10,
            bbox=dict(boxstyle="round,pad=0.6", facecolor=face, edgecolor=edge, linewidth=1.5))
xs = [p[0] for p in pos.values()]
ys = [p[1] for p in pos.values()]
ax.set_xlim(min(xs) - 2.0, max(xs) + 2.0)
ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
ax.axis("off")
ax.set_title({title!r})
fig.tight_layout()
fig.savefig(f"{{OUTPUT_DIR}}/{name}", dpi=150, bbox_inches="tight")
plt.close(fig)
print("Diagram with {{}} steps and {{}} connections: {{}}".format(
    G.number_of_nodes(), G.number_of_edges(), "; ".join("{{}} -> {{}}".format(a, b) for a, b in G.edges())))
print(f"FILE_SAVED:{{OUTPUT_DIR}}/{name}")
'''

NO_STEPS = '''
print("I could not find the steps for the diagram in your request. "
      "Describe them like 'flowchart of Start -> Check input -> Save -> End' "
      "or 'process diagram of: collect data, clean data, train model'.")
'''


def diagram_code(request: str) -> str:
    nodes, edges = parse_steps(request)
    if len(nodes) < 2:
        return block(NO_STEPS)
    low = request.lower()
    kind = "Flowchart" if ("flow" in low or "process" in low) else "Diagram"
    linear = len(edges) == len(nodes) - 1 and all(a == nodes[i] and b == nodes[i + 1] for i, (a, b) in enumerate(edges))
    title = f"{kind}: {nodes[0]} to {nodes[-1]}" if linear else kind
    name = f"{slug(kind)}_{slug(nodes[0], 'start')[:24]}.png"
    return block(DIAGRAM.format(nodes=nodes, edges=edges, title=title, name=name))
