// SPDX-License-Identifier: GPL-2.0
/*
 * Optional binding to QEMU's edu PCI device (1234:11e8).  When it sits behind
 * an IOMMU with a DMA domain, its struct device becomes the DMA device of
 * every software device, so the map stage goes through a real (emulated)
 * IOMMU and the IOVA path is live.  In verify mode (verify=N) every Nth
 * migration DMA-reads a sampled page through the mapping the migration made,
 * with edu's own DMA engine, and compares it with the device copy.
 *
 * edu's limits: 28-bit DMA mask, transfers of at most 2048 bytes here (QEMU
 * 7.2 aborts at 4096), each done only after a 100 ms virtual-time timer.
 *
 * iova_fragment=1 holds every other MiB of edu's IOVA space, so that no
 * 2 MiB range of it can be allocated while 4 KiB ones still can: the IOVA
 * path of a 2 MiB migration falls back to per-page dma_map_page, as on a
 * long-running machine whose IOVA space is fragmented.  That is the only
 * way to put the kernel's own drm_pagemap on its page path behind an IOMMU
 * (make bench compares the two paths with it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/iommu.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/rwsem.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "svm_pagemap.h"
#include "svm_pagemap_trace.h"

#define SVM_EDU_DMA_SRC		0x80
#define SVM_EDU_DMA_DST		0x88
#define SVM_EDU_DMA_CNT		0x90
#define SVM_EDU_DMA_CMD		0x98
#define SVM_EDU_CMD_START	0x1
#define SVM_EDU_CMD_TO_RAM	0x2
#define SVM_EDU_BUF		0x40000
#define SVM_EDU_VERIFY_BYTES	2048
#define SVM_EDU_DMA_BITS	28
#define SVM_EDU_TIMEOUT_MS	5000
/* Held IOVA pieces: larger than the IOVA caches keep, smaller than 2 MiB. */
#define SVM_EDU_HOLD_ORDER	8
#define SVM_EDU_HOLD_BYTES	(PAGE_SIZE << SVM_EDU_HOLD_ORDER)

/**
 * struct svm_edu - the bound edu device
 * @pdev: the PCI device; its struct device maps DMA
 * @mmio: BAR 0
 * @dma_lock: serialises use of edu's single DMA engine
 * @bounce: coherent buffer edu writes the sampled bytes back into
 * @bounce_dma: its DMA address
 * @hold_page: iova_fragment: the 1 MiB of memory every held piece maps
 * @held: iova_fragment: DMA addresses of the held pieces
 * @nheld: iova_fragment: entries of @held
 */
struct svm_edu {
	struct pci_dev *pdev;
	void __iomem *mmio;
	struct mutex dma_lock;	/* one DMA transfer at a time */
	void *bounce;
	dma_addr_t bounce_dma;
	struct page *hold_page;
	dma_addr_t *held;
	unsigned int nheld;
};

static DECLARE_RWSEM(svm_edu_sem);
static struct svm_edu *svm_edu;
static atomic_t svm_verify_count = ATOMIC_INIT(0);

/**
 * svm_dma_get() - the DMA device for a software device's mappings
 * @sdev: the software device
 *
 * edu's device when bound, else the software device's platform device.
 * Keeps edu bound until svm_dma_put().
 *
 * Return: the device to map with.
 */
struct device *svm_dma_get(struct svm_device *sdev)
{
	down_read(&svm_edu_sem);
	if (svm_edu)
		return &svm_edu->pdev->dev;
	return &sdev->pdev->dev;
}

/**
 * svm_dma_put() - end of the use of svm_dma_get()'s device
 * @dev: the device it returned
 */
void svm_dma_put(struct device *dev)
{
	up_read(&svm_edu_sem);
}

/* One edu DMA transfer; returns once the engine is idle again. */
static int svm_edu_dma(struct svm_edu *e, u64 src, u64 dst, u32 cmd)
{
	unsigned long timeout = jiffies + msecs_to_jiffies(SVM_EDU_TIMEOUT_MS);

	writeq(src, e->mmio + SVM_EDU_DMA_SRC);
	writeq(dst, e->mmio + SVM_EDU_DMA_DST);
	writeq(SVM_EDU_VERIFY_BYTES, e->mmio + SVM_EDU_DMA_CNT);
	writeq(cmd | SVM_EDU_CMD_START, e->mmio + SVM_EDU_DMA_CMD);
	while (readq(e->mmio + SVM_EDU_DMA_CMD) & SVM_EDU_CMD_START) {
		if (time_after(jiffies, timeout))
			return -ETIMEDOUT;
		usleep_range(5000, 10000);
	}
	return 0;
}

/**
 * svm_edu_verify() - verify mode: check one mapping with edu's DMA engine
 * @m: the migration, after its copy stage
 * @addrs: the map stage's addresses
 * @dpages: the device pages (destination for to_dev, source for to_ram)
 * @npages: entries
 * @to_dev: direction of the copy
 *
 * Runs on every verify-th migration when edu is bound: DMA-reads the first
 * 2048 bytes of the first system page through its DMA address and compares
 * them with the device memory; fires svm_verify.
 */
void svm_edu_verify(struct svm_mig *m, const struct svm_addr *addrs,
		    struct page **dpages, unsigned long npages, bool to_dev)
{
	unsigned int every = READ_ONCE(svm_verify_every);
	struct svm_edu *e;
	unsigned long i;
	int ret;

	if (!every || atomic_inc_return(&svm_verify_count) % every)
		return;
	e = svm_edu;	/* stable: the caller holds svm_dma_get() */
	if (!e || m->dma_dev != &e->pdev->dev)
		return;
	for (i = 0; i < npages; i++)
		if (dpages[i] && addrs[i].proto == SVM_PROTO_SYSTEM)
			break;
	if (i == npages)
		return;
	if (addrs[i].addr + SVM_EDU_VERIFY_BYTES > DMA_BIT_MASK(SVM_EDU_DMA_BITS)) {
		ret = -ERANGE;
		goto out;
	}
	mutex_lock(&e->dma_lock);
	memset(e->bounce, 0, SVM_EDU_VERIFY_BYTES);
	ret = svm_edu_dma(e, addrs[i].addr, SVM_EDU_BUF, 0);
	if (!ret)
		ret = svm_edu_dma(e, SVM_EDU_BUF, e->bounce_dma,
				  SVM_EDU_CMD_TO_RAM);
	if (!ret && memcmp(e->bounce, svm_page_backing(dpages[i]),
			   SVM_EDU_VERIFY_BYTES))
		ret = -EILSEQ;
	mutex_unlock(&e->dma_lock);
out:
	svm_trace(svm_verify, m->id, m->sdev->id, addrs[i].addr,
		  SVM_EDU_VERIFY_BYTES, ret);
	if (ret) {
		svm_stat_inc(m->sdev, SVM_STAT(verify_failed));
		pr_warn_ratelimited("verify of migration %llu failed: %d\n",
				    m->id, ret);
	} else {
		svm_stat_inc(m->sdev, SVM_STAT(verify_ok));
	}
}

/* Give back every piece of IOVA space iova_fragment holds. */
static void svm_edu_iova_release(struct svm_edu *e)
{
	unsigned int i;

	if (!e->held)
		return;
	for (i = 0; i < e->nheld; i++)
		if (e->held[i] != DMA_MAPPING_ERROR)
			dma_unmap_page_attrs(&e->pdev->dev, e->held[i],
					     SVM_EDU_HOLD_BYTES, DMA_TO_DEVICE,
					     DMA_ATTR_SKIP_CPU_SYNC);
	kvfree(e->held);
	e->held = NULL;
	e->nheld = 0;
	__free_pages(e->hold_page, SVM_EDU_HOLD_ORDER);
	e->hold_page = NULL;
}

/* Can a 2 MiB IOVA range be allocated for edu right now? */
static bool svm_edu_iova_2m_free(struct svm_edu *e)
{
	struct svm_iova_state st = {};

	if (!svm_iova_try_alloc(&e->pdev->dev, &st, 0, SZ_2M))
		return false;
	svm_iova_unlink_free(&e->pdev->dev, &st, 0, DMA_TO_DEVICE);
	return true;
}

/*
 * Map the same 1 MiB until the IOVA space is full (the allocator hands out
 * size-aligned ranges, top down), then unmap every other piece: 1 MiB holes
 * between held pieces, no free 2 MiB-aligned range.
 */
static int svm_edu_iova_fragment(struct svm_edu *e)
{
	struct device *dev = &e->pdev->dev;
	unsigned int i, max = (DMA_BIT_MASK(SVM_EDU_DMA_BITS) + 1) / SVM_EDU_HOLD_BYTES;

	if (e->held)
		return 0;
	/* no IOMMU DMA domain (or no IOVA API): nothing to fragment */
	if (!svm_edu_iova_2m_free(e))
		return -EOPNOTSUPP;
	e->hold_page = alloc_pages(GFP_KERNEL, SVM_EDU_HOLD_ORDER);
	if (!e->hold_page)
		return -ENOMEM;
	e->held = kvcalloc(max, sizeof(*e->held), GFP_KERNEL);
	if (!e->held) {
		__free_pages(e->hold_page, SVM_EDU_HOLD_ORDER);
		e->hold_page = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < max; i++) {
		dma_addr_t a = dma_map_page_attrs(dev, e->hold_page, 0,
						  SVM_EDU_HOLD_BYTES,
						  DMA_TO_DEVICE,
						  DMA_ATTR_SKIP_CPU_SYNC);

		if (dma_mapping_error(dev, a))
			break;
		e->held[e->nheld++] = a;
	}
	for (i = 0; i < e->nheld; i += 2) {
		dma_unmap_page_attrs(dev, e->held[i], SVM_EDU_HOLD_BYTES,
				     DMA_TO_DEVICE, DMA_ATTR_SKIP_CPU_SYNC);
		e->held[i] = DMA_MAPPING_ERROR;
	}
	if (svm_edu_iova_2m_free(e)) {
		dev_warn(dev, "iova_fragment: a 2 MiB IOVA range is still free\n");
		svm_edu_iova_release(e);
		return -EAGAIN;
	}
	dev_info(dev, "iova_fragment: holding %u of %u MiB of IOVA space\n",
		 e->nheld / 2, max);
	return 0;
}

static bool svm_iova_fragment;

static int svm_iova_fragment_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret = kstrtobool(val, &on);

	if (ret)
		return ret;
	down_write(&svm_edu_sem);
	if (!svm_edu)
		ret = on ? -ENODEV : 0;
	else if (on)
		ret = svm_edu_iova_fragment(svm_edu);
	else
		svm_edu_iova_release(svm_edu);
	/* sysfs reports every refusal as an I/O error: the reason goes here */
	if (ret == -ENODEV)
		pr_warn_ratelimited("iova_fragment: edu is not bound (PROFILE=iommu)\n");
	else if (ret == -EOPNOTSUPP)
		pr_warn_ratelimited("iova_fragment: edu has no IOMMU DMA domain to fragment\n");
	if (!ret)
		svm_iova_fragment = on;
	up_write(&svm_edu_sem);
	return ret;
}

static const struct kernel_param_ops svm_iova_fragment_ops = {
	.set = svm_iova_fragment_set,
	.get = param_get_bool,
};

module_param_cb(iova_fragment, &svm_iova_fragment_ops, &svm_iova_fragment, 0644);
MODULE_PARM_DESC(iova_fragment,
		 "hold every other MiB of edu's IOVA space: 2 MiB IOVA ranges fail, the page path is taken (needs edu behind an IOMMU; default 0)");

static int svm_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct iommu_domain *domain;
	struct svm_edu *e;
	int ret;

	if (!svm_edu_enable)
		return -ENODEV;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	if (!domain || !iommu_is_dma_domain(domain)) {
		dev_info(&pdev->dev, "not behind an IOMMU DMA domain, not used\n");
		return -ENODEV;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->pdev = pdev;
	mutex_init(&e->dma_lock);
	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_region(pdev, 0, "svm_pagemap");
	if (ret)
		goto err_disable;
	e->mmio = pci_iomap(pdev, 0, 0);
	if (!e->mmio) {
		ret = -ENOMEM;
		goto err_region;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev,
					DMA_BIT_MASK(SVM_EDU_DMA_BITS));
	if (ret)
		goto err_unmap;
	e->bounce = dma_alloc_coherent(&pdev->dev, PAGE_SIZE, &e->bounce_dma,
				       GFP_KERNEL);
	if (!e->bounce) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	pci_set_master(pdev);
	pci_set_drvdata(pdev, e);
	down_write(&svm_edu_sem);
	svm_edu = e;
	up_write(&svm_edu_sem);
	dev_info(&pdev->dev, "edu bound: DMA mapping of all devices through the IOMMU\n");
	return 0;

err_unmap:
	pci_iounmap(pdev, e->mmio);
err_region:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(e);
	return ret;
}

static void svm_edu_remove(struct pci_dev *pdev)
{
	struct svm_edu *e = pci_get_drvdata(pdev);

	down_write(&svm_edu_sem);
	svm_edu = NULL;
	svm_edu_iova_release(e);
	svm_iova_fragment = false;
	up_write(&svm_edu_sem);
	pci_clear_master(pdev);
	dma_free_coherent(&pdev->dev, PAGE_SIZE, e->bounce, e->bounce_dma);
	pci_iounmap(pdev, e->mmio);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	kfree(e);
}

static const struct pci_device_id svm_edu_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

static struct pci_driver svm_edu_driver = {
	.name = "svm_pagemap_edu",
	.id_table = svm_edu_ids,
	.probe = svm_edu_probe,
	.remove = svm_edu_remove,
};

/**
 * svm_edu_init() - register the edu PCI driver
 *
 * Return: 0 or a negative errno.
 */
int svm_edu_init(void)
{
	return pci_register_driver(&svm_edu_driver);
}

/**
 * svm_edu_exit() - unregister the edu PCI driver
 */
void svm_edu_exit(void)
{
	pci_unregister_driver(&svm_edu_driver);
}
