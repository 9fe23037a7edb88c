import { caseApi } from '../api';
import type Graph from 'graphology';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import Sigma from 'sigma';
import { RoleTags, Status } from '../components/common';
import { country, num } from '../format';
import { buildGraph, colourOf, legend, OTHER, type ColourBy, type NodeAttrs } from '../graph';
import { useApi, useEscape } from '../hooks';
import { href } from '../router';
import { S } from '../strings';
import { ROLES, type NetworkData, type Overview } from '../types';

interface Filters {
  country: string;
  role: string;
  cluster: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { country: '', role: '', cluster: '', from: '', to: '' };

export function Network({ initialCountry }: { initialCountry?: string }) {
  const start = { ...NO_FILTERS, country: initialCountry ?? '' };
  const [draft, setDraft] = useState<Filters>(start);
  const [applied, setApplied] = useState<Filters>(start);
  const [colourBy, setColourBy] = useState<ColourBy>('cluster');
  const [selected, setSelected] = useState<string | null>(null);
  const [searchMsg, setSearchMsg] = useState<string | null>(null);
  const [drawMs, setDrawMs] = useState<number | null>(null);
  const [webglError, setWebglError] = useState(false);
  const [clusters, setClusters] = useState<number[]>([]);
  const overview = useApi<Overview>(caseApi('/overview'));
  const net = useApi<NetworkData>(caseApi('/network'), {
    country: applied.country || undefined,
    role: applied.role || undefined,
    cluster: applied.cluster || undefined,
    from: applied.from || undefined,
    to: applied.to || undefined,
  });
  const container = useRef<HTMLDivElement>(null);
  const sigma = useRef<Sigma<NodeAttrs> | null>(null);
  const selectedRef = useRef<string | null>(null);
  const colourRef = useRef(colourBy);
  colourRef.current = colourBy;

  const graph = useMemo(() => (net.data ? buildGraph(net.data, colourRef.current) : null), [net.data]);

  // The cluster choices come from the first unfiltered answer, so filtering does not shrink the menu.
  useEffect(() => {
    if (!net.data || clusters.length) return;
    const set = new Set<number>();
    net.data.nodes.cluster.forEach((c) => c !== null && set.add(c));
    setClusters([...set].sort((a, b) => a - b));
  }, [net.data, clusters.length]);

  useEffect(() => {
    if (!graph || !container.current || graph.order === 0) return;
    const t0 = performance.now();
    let renderer: Sigma<NodeAttrs>;
    try {
      renderer = new Sigma(graph, container.current, {
        settings: {
          // Labels only when zoomed in far enough for them to be legible: at 20k nodes they would be noise.
          labelRenderedSizeThreshold: 3.5,
          // Dots grow with zoom, but at most ×3, so a zoomed-in dense cluster stays readable.
          zoomToSizeRatioFunction: (ratio: number) => Math.max(Math.sqrt(ratio), 0.33),
          // Sizes are pixels (growing gently with zoom), so the layout's units do not decide how big a dot is.
          itemSizesReference: 'screen',
          enableCameraRotation: false,
          labelDensity: 0.5,
          hideEdgesOnMove: true,
          hideLabelsOnMove: true,
          renderEdgeLabels: false,
          enableNodeDrag: false,
        },
        nodeReducer: (key, data) =>
          key === selectedRef.current
            ? { size: data.size * 1.8, labelVisibility: 'visible', depth: 'topNodes', zIndex: 2 }
            : {},
      });
    } catch {
      setWebglError(true);
      return;
    }
    setWebglError(false);
    renderer.on('clickNode', ({ node }) => setSelected(node));
    renderer.on('clickStage', () => setSelected(null));
    sigma.current = renderer;
    requestAnimationFrame(() => setDrawMs(Math.round(performance.now() - t0)));
    return () => {
      renderer.kill();
      sigma.current = null;
    };
  }, [graph]);

  useEffect(() => {
    if (!graph) return;
    graph.updateEachNodeAttributes((_k, a) => ({ ...a, color: colourOf(a, colourBy) }), {
      attributes: ['color'],
    });
    sigma.current?.refresh();
  }, [graph, colourBy]);

  useEffect(() => {
    selectedRef.current = selected;
    sigma.current?.refresh({ skipIndexation: true });
  }, [selected]);

  const close = useCallback(() => setSelected(null), []);
  useEscape(selected ? close : null);

  function apply(e: FormEvent) {
    e.preventDefault();
    setSelected(null);
    setApplied(draft);
  }

  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const q = String(new FormData(e.currentTarget).get('q') ?? '')
      .trim()
      .toLowerCase();
    if (!q || !graph) return;
    const found = graph.findNode((_k, a) => a.label.toLowerCase().includes(q));
    if (!found) {
      setSearchMsg(S.network.notFound(q));
      return;
    }
    setSearchMsg(null);
    setSelected(found);
    const d = sigma.current?.getNodeDisplayData(found);
    if (d) void sigma.current!.getCamera().animate({ x: d.x, y: d.y, ratio: 0.15 }, { duration: 400 });
  }

  const set = (k: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const countries = (overview.data?.countries ?? []).map((c) => c.country ?? 'unresolved');
  const node = selected && graph?.hasNode(selected) ? graph.getNodeAttributes(selected) : null;
  return (
    <>
      <h2>{S.network.title}</h2>
      <form className="row" onSubmit={apply} aria-label="filters">
        <label>
          {S.network.country}
          <select name="country" value={draft.country} onChange={set('country')}>
            <option value="">{S.network.any}</option>
            {countries.map((c) => (
              <option key={c} value={c}>
                {c === 'unresolved' ? S.network.unresolved : c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {S.network.role}
          <select name="role" value={draft.role} onChange={set('role')}>
            <option value="">{S.network.any}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {S.roles[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {S.network.cluster}
          <select name="cluster" value={draft.cluster} onChange={set('cluster')}>
            <option value="">{S.network.any}</option>
            {clusters.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {S.network.from}
          <input name="from" type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          {S.network.to}
          <input name="to" type="date" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">{S.network.apply}</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setDraft(NO_FILTERS);
            setApplied(NO_FILTERS);
          }}
        >
          {S.network.reset}
        </button>
      </form>
      <div className="row">
        <label>
          {S.network.colourBy}
          <select name="colour" value={colourBy} onChange={(e) => setColourBy(e.target.value as ColourBy)}>
            <option value="cluster">{S.network.colourCluster}</option>
            <option value="role">{S.network.colourRole}</option>
            <option value="country">{S.network.colourCountry}</option>
          </select>
        </label>
        <form className="row" onSubmit={search} role="search">
          <label>
            {S.network.search}
            <input name="q" placeholder={S.network.searchPlaceholder} />
          </label>
          <button type="submit" className="secondary">
            {S.network.searchGo}
          </button>
        </form>
        {searchMsg && <span role="status">{searchMsg}</span>}
      </div>
      <Status loading={net.loading} error={net.error} />
      {graph && (
        <p className="muted" data-testid="network-counts">
          {drawMs !== null ? S.network.counts(graph.order, graph.size, drawMs) : S.loading} ·{' '}
          {S.network.keyboardHint}
        </p>
      )}
      {graph && <Legend graph={graph} by={colourBy} />}
      {webglError && <p className="error">{S.network.noWebgl}</p>}
      {graph && graph.order === 0 && <p>{S.network.empty}</p>}
      <div className="network">
        <div ref={container} className="graph" data-testid="graph" aria-label={S.network.title} role="img" />
        {node && <SidePanel n={node} degree={graph!.degree(selected!)} onClose={close} />}
      </div>
    </>
  );
}

function Legend({ graph, by }: { graph: Graph<NodeAttrs>; by: ColourBy }) {
  const items = useMemo(() => legend(graph, by), [graph, by]);
  const none =
    by === 'cluster' ? S.network.noCluster : by === 'country' ? S.network.unresolved : S.network.noRole;
  return (
    <div className="legend" aria-label={S.network.colourBy}>
      {items.map((i) => (
        <span key={i.label}>
          <Swatch colour={i.label ? i.colour : OTHER} />
          {i.label ? (by === 'role' ? S.roles[i.label] : i.label) : none} ({i.count})
        </span>
      ))}
    </div>
  );
}

function Swatch({ colour }: { colour: string }) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.style.background = colour;
  }, [colour]);
  return <i ref={ref} aria-hidden="true" />;
}

function SidePanel({ n, degree, onClose }: { n: NodeAttrs; degree: number; onClose: () => void }) {
  const closeBtn = useRef<HTMLButtonElement>(null);
  useEffect(() => closeBtn.current?.focus(), [n]);
  const isGroup = n.kind === 'g';
  return (
    <aside
      className="side"
      aria-label={isGroup ? S.network.group : S.network.account}
      data-testid="side-panel"
    >
      <div className="row">
        <strong>{isGroup ? S.network.group : S.network.account}</strong>
        <button ref={closeBtn} className="secondary" onClick={onClose} aria-label={S.close}>
          {S.close}
        </button>
      </div>
      <h3>{n.label}</h3>
      <dl className="facts">
        <dt>{S.cols.id}</dt>
        <dd>{n.id}</dd>
        <dt>{S.cols.cluster}</dt>
        <dd>{n.cluster ?? S.none}</dd>
        {isGroup ? (
          <>
            <dt>{S.cols.flagged}</dt>
            <dd>{n.flagged ? S.yes : S.no}</dd>
            <dt>{S.cols.members}</dt>
            <dd>{degree}</dd>
          </>
        ) : (
          <>
            <dt>{S.cols.country}</dt>
            <dd>{country(n.country)}</dd>
            <dt>{S.cols.roles}</dt>
            <dd>
              <RoleTags roles={n.roles} />
            </dd>
            <dt>{S.cols.score}</dt>
            <dd>{num(n.score, 1)}</dd>
            <dt>{S.cols.groups}</dt>
            <dd>{degree}</dd>
          </>
        )}
      </dl>
      <p>
        <a className="button" href={isGroup ? href.group(n.id) : href.account(n.id)}>
          {S.network.openFile}
        </a>
      </p>
    </aside>
  );
}
